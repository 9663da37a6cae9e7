/** Seeding through the public API, shared by the benchmarks. */

/** Registers a fresh tenant; returns the admin's bearer header. */
export async function registerBenchTenant(api: string, label: string): Promise<{ authorization: string }> {
  const reg = await fetch(`${api}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench-${label}-${Date.now()}@example.com`, password: 'BenchPassw0rd', full_name: 'Bench', tenant_name: `Bench ${label} plant` }),
  });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${await reg.text()}`);
  const { access_token: token } = (await reg.json()) as { access_token: string };
  return { authorization: `Bearer ${token}` };
}

/** Imports one CSV file (header + rows) through POST /machines/import; every row must be created. */
export async function importMachinesCsv(api: string, auth: { authorization: string }, filename: string, lines: string[]): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([lines.join('\n') + '\n'], { type: 'text/csv' }), filename);
  const res = await fetch(`${api}/machines/import`, { method: 'POST', headers: auth, body: form });
  const body = (await res.json()) as { created?: number; errors?: unknown[] };
  const rows = lines.length - 1;
  if (res.status !== 200 || body.created !== rows) {
    throw new Error(`import ${filename}: ${res.status} created ${body.created} of ${rows}: ${JSON.stringify(body.errors?.slice(0, 3) ?? body)}`);
  }
}

/** Machine ids by identifier, read back page by page until `count` are known. */
export async function machineIdsByIdentifier(api: string, auth: { authorization: string }, count: number): Promise<Map<string, string>> {
  const idOf = new Map<string, string>();
  for (let page = 1; idOf.size < count; page++) {
    const res = await fetch(`${api}/machines?page_size=100&page=${page}&sort_by=machine_identifier`, { headers: auth });
    const body = (await res.json()) as { items: { id: string; machine_identifier: string }[] };
    if (res.status !== 200 || body.items.length === 0) throw new Error(`listing ids failed at page ${page}: ${res.status}`);
    for (const m of body.items) idOf.set(m.machine_identifier, m.id);
  }
  return idOf;
}
