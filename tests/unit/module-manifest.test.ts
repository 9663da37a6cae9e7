/**
 * The module lists are the only place a module's pieces are registered: the app is built from
 * them, and the composition files loop over them instead of naming module files. Also checks the
 * layering (`rest -> resolvers -> src`, `resolvers -> schema`; src imports none of them).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { getMetadataStorage } from 'type-graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsList } from '../../migrations/index.js';
import { RESOLVER_CLASSES, createResolvers } from '../../resolvers/index.js';
import { RESOLVER_MODULES } from '../../resolvers/modules.js';
import { buildAppSchema } from '../../resolvers/schema.js';
import { ROUTE_MODULES } from '../../rest/modules.js';
import { ROUTES } from '../../rest/routes.js';
import { buildServices } from '../../src/app/container.js';
import type { SharedDeps } from '../../src/app/module.js';
import { MODULES } from '../../src/app/modules.js';
import type { TokenSigner } from '../../src/auth/jwt.js';
import { ENTITIES } from '../../src/infra/entities.js';
import { DASHBOARD_FEEDS } from '../../src/server/dashboard-ws.js';
import { http, startTestApp, type TestApp } from '../helpers/app.js';
import { probeService } from '../helpers/services.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LAYERS = ['src', 'resolvers', 'rest', 'schema'] as const;

/** Files that assemble the app: they may reach modules only through the three module lists. */
const COMPOSITION = [
  'src/app/container.ts',
  'src/infra/entities.ts',
  'src/infra/database.ts',
  'src/server/dashboard-ws.ts',
  'resolvers/index.ts',
  'resolvers/schema.ts',
  'rest/routes.ts',
  'rest/app.ts',
];
const MODULE_LISTS = new Set(['src/app/modules.ts', 'resolvers/modules.ts', 'rest/modules.ts']);
/** a file holding one of a module's registered pieces */
const MODULE_PIECE = /\.(entity|service|module|jobs|events|resolver|routes)\.ts$/;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...(await walk(rel)));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Repo-relative `.ts` paths a source file imports (static, re-exports and dynamic imports). */
function importsOf(file: string, text: string): string[] {
  const specs: string[] = [];
  const re = /(?:^|[;\s])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith('.')) continue;
    specs.push(path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return specs;
}

/** Breaks of the dependency rule among `files` (path -> source). */
function layeringBreaks(files: Map<string, string>): string[] {
  const forbidden: Record<string, string[]> = { src: ['resolvers', 'rest', 'schema'], resolvers: ['rest'], schema: ['resolvers', 'rest'], rest: [] };
  const out: string[] = [];
  for (const [file, text] of files) {
    const layer = file.split('/')[0]!;
    for (const target of importsOf(file, text)) {
      if (forbidden[layer]?.includes(target.split('/')[0]!)) out.push(`${file} imports ${target}`);
    }
  }
  return out;
}

/** Module pieces a composition file imports directly instead of through a module list. */
function strayRegistrations(files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const file of COMPOSITION) {
    for (const target of importsOf(file, files.get(file) ?? '')) {
      if (MODULE_PIECE.test(target) && !MODULE_LISTS.has(target)) out.push(`${file} imports ${target}`);
    }
  }
  return out;
}

/** `machines` -> `machine`, `api-keys` -> `api-key`: the stem of a module's files in every layer. */
const stemOf = (name: string) => name.replace(/s$/, '');

function once<T>(owners: Map<T, string[]>, item: T, owner: string): void {
  owners.set(item, [...(owners.get(item) ?? []), owner]);
}

let sources: Map<string, string>;

beforeAll(async () => {
  sources = new Map();
  for (const layer of LAYERS) for (const f of await walk(layer)) sources.set(f, await readFile(path.join(ROOT, f), 'utf8'));
});

describe('module lists', () => {
  it('keep the dependency rule: src imports no outer layer, resolvers do not import rest', () => {
    expect(layeringBreaks(sources)).toEqual([]);
    // the check itself sees a break, in each import form
    const planted = new Map([
      ['src/machines/x.ts', "import { ROUTES } from '../../rest/routes.js';"],
      ['resolvers/x.ts', "export { mapMachine } from '../rest/machine.routes.js';"],
      ['src/readings/y.ts', "const m = await import('../../resolvers/index.js');"],
    ]);
    expect(layeringBreaks(planted)).toEqual([
      'src/machines/x.ts imports rest/routes.ts',
      'resolvers/x.ts imports rest/machine.routes.ts',
      'src/readings/y.ts imports resolvers/index.ts',
    ]);
  });

  it('are the only way the composition files reach a module', () => {
    for (const f of COMPOSITION) expect(sources.has(f), f).toBe(true);
    expect(strayRegistrations(sources)).toEqual([]);
    const planted = new Map(sources);
    planted.set('src/infra/entities.ts', `${sources.get('src/infra/entities.ts')}\nimport { Alert } from '../alerts/alert.entity.js';`);
    planted.set('rest/routes.ts', `import {\n  alertRoutes,\n} from './alert.routes.js';\n${sources.get('rest/routes.ts')}`);
    expect(strayRegistrations(planted)).toEqual(['src/infra/entities.ts imports src/alerts/alert.entity.ts', 'rest/routes.ts imports rest/alert.routes.ts']);
  });

  it('name every module once, each in its own folder with its manifest file', async () => {
    const names = MODULES.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of MODULES) {
      const file = `src/${m.name}/${m.name}.module.ts`;
      expect(sources.has(file), file).toBe(true);
      const exported = Object.values(await import(path.join(ROOT, file)));
      expect(exported, `${file} exports the manifest of ${m.name}`).toContain(m);
    }
    for (const r of [...RESOLVER_MODULES, ...ROUTE_MODULES]) expect(names, `outer-layer entry ${r.module}`).toContain(r.module);
  });

  it('register each entity in exactly one manifest, declared in that module\'s folder', async () => {
    const owners = new Map<Function, string[]>();
    for (const m of MODULES) for (const e of m.entities) once(owners, e, m.name);
    for (const [e, by] of owners) expect(by, e.name).toHaveLength(1);
    expect(new Set(ENTITIES)).toEqual(new Set(owners.keys()));
    expect(ENTITIES).toHaveLength(owners.size);
    for (const m of MODULES) {
      const declared = new Set<unknown>();
      for (const f of [...sources.keys()].filter((f) => f.startsWith(`src/${m.name}/`) && f.endsWith('.entity.ts'))) {
        for (const v of Object.values(await import(path.join(ROOT, f)))) declared.add(v);
      }
      for (const e of m.entities) expect(declared.has(e), `${e.name} is declared in src/${m.name}/*.entity.ts`).toBe(true);
    }
  });

  it('register each resolver class in exactly one module, from resolvers/<module>.resolver.ts', async () => {
    const owners = new Map<Function, string[]>();
    for (const r of RESOLVER_MODULES) for (const b of r.resolvers) once(owners, b.cls, r.module);
    for (const [cls, by] of owners) expect(by, cls.name).toHaveLength(1);
    expect([...RESOLVER_CLASSES]).toEqual([...owners.keys()]);
    // every decorated resolver class of the resolvers/ folder is in a module entry
    for (const f of [...sources.keys()].filter((f) => f.startsWith('resolvers/') && f.endsWith('.resolver.ts'))) await import(path.join(ROOT, f));
    const decorated = new Set(getMetadataStorage().resolverClasses.map((r) => r.target));
    expect(new Set(owners.keys())).toEqual(decorated);
    for (const r of RESOLVER_MODULES) {
      const file = `resolvers/${stemOf(r.module)}.resolver.ts`;
      const exported = Object.values(await import(path.join(ROOT, file)));
      for (const b of r.resolvers) expect(exported, `${b.cls.name} in ${file}`).toContain(b.cls);
    }
  });

  it('make every operation of the schema come from a listed resolver class', async () => {
    const schema = await buildAppSchema();
    const listed = new Set<Function>(RESOLVER_CLASSES);
    const storage = getMetadataStorage();
    const roots = { Query: storage.queries, Mutation: storage.mutations, Subscription: storage.subscriptions } as const;
    for (const [root, defs] of Object.entries(roots)) {
      const fields = Object.keys(schema.getType(root) ? (schema.getType(root) as { getFields(): object }).getFields() : {});
      const byListed = defs.filter((d) => listed.has(d.target)).map((d) => d.schemaName);
      expect(fields.sort(), root).toEqual([...byListed].sort());
    }
    for (const f of storage.fieldResolvers) expect(listed.has(f.target), `field resolver ${f.methodName}`).toBe(true);
  });

  it('register each route row in exactly one module, from rest/<module>.routes.ts, on that module\'s resolvers', async () => {
    const owners = new Map<object, string[]>();
    for (const r of ROUTE_MODULES) for (const row of r.routes) once(owners, row, r.module);
    for (const [row, by] of owners) expect(by, JSON.stringify(row)).toHaveLength(1);
    expect(ROUTES).toEqual([...owners.keys()]);
    const resolverModule = new Map(RESOLVER_MODULES.flatMap((r) => r.resolvers.map((b) => [b.cls as Function, r.module] as const)));
    for (const r of ROUTE_MODULES) {
      const file = `rest/${stemOf(r.module)}.routes.ts`;
      const exported = Object.values(await import(path.join(ROOT, file)));
      expect(exported, `${r.module} rows are exported by ${file}`).toContain(r.routes);
      for (const row of r.routes) expect(resolverModule.get(row.resolver), `${row.method} ${row.path}`).toBe(r.module);
    }
  });

  it('keep response shapes and mappers in the route file of their module', () => {
    for (const [file, text] of sources) {
      if (!file.startsWith('rest/') || !/\b(shape|mapper)\(/.test(text)) continue;
      expect(file.endsWith('.routes.ts') || file === 'rest/mappers.ts' || file === 'rest/openapi.ts', file).toBe(true);
    }
  });

  it('give the dashboard socket the feeds of the manifests, each on a topic its module declares', () => {
    expect(DASHBOARD_FEEDS).toEqual(MODULES.flatMap((m) => m.feeds));
    const topicOwner = new Map<string, string[]>();
    for (const m of MODULES) for (const t of m.topics) once(topicOwner, t, m.name);
    for (const [t, by] of topicOwner) expect(by, t).toHaveLength(1);
    for (const m of MODULES) {
      for (const f of m.feeds) {
        const topic = f.topic('00000000-0000-0000-0000-000000000000');
        expect(m.topics.some((t) => topic === t || topic.startsWith(`${t}:`)), `${m.name} feed on ${topic}`).toBe(true);
      }
    }
  });

  it('keep one migration list ordered by name', () => {
    const names = migrationsList.map((m) => m.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
  });
});

const pg = await probeService('postgres');

describe.skipIf(pg.skip)(`app built from the module list${pg.label}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('maps exactly the manifests\' entities in MikroORM', () => {
    const mapped = [...t.app.container.db.orm.getMetadata().getAll().values()].map((meta) => meta.class);
    expect(new Set(mapped)).toEqual(new Set(MODULES.flatMap((m) => m.entities)));
  });

  it('builds each module\'s services once, in list order, under the names the resolvers use', async () => {
    const c = t.app.container;
    const closers: (() => Promise<unknown>)[] = [];
    const deps: SharedDeps = {
      config: c.config, log: c.log, db: c.db, bus: c.bus, jobs: c.jobs, limiter: c.limiter, store: c.store,
      readingStore: c.readings, authenticator: c.authenticator, signer: {} as TokenSigner, onClose: (close) => closers.unshift(close),
    };
    try {
      const all = Object.keys(buildServices(MODULES, deps));
      expect(all.sort()).toEqual(Object.keys(c.services).sort());
      // each module adds its own names to those of the modules before it
      let before: string[] = [];
      for (let i = 0; i < MODULES.length; i++) {
        const now = Object.keys(buildServices(MODULES.slice(0, i + 1), deps));
        expect(now.slice(0, before.length), MODULES[i]!.name).toEqual(before);
        before = now;
      }
      // a module listed before the one whose services it uses fails at startup, naming both
      const readings = MODULES.find((m) => m.name === 'readings')!;
      expect(() => buildServices([readings, ...MODULES.filter((m) => m !== readings)], deps)).toThrow(/module readings needs service (machines|machineStatus|alertEngine)/);
      expect(() => buildServices([...MODULES].reverse(), deps)).toThrow(/module \S+ needs service \S+, which no module listed before it builds/);
      const audit = MODULES.find((m) => m.name === 'audit')!;
      expect(() => buildServices([audit, audit], deps)).toThrow(/service audit of module audit is built by another module already/);
    } finally {
      for (const close of closers) await close();
    }
    const resolvers = createResolvers(c);
    expect([...resolvers.keys()]).toEqual([...RESOLVER_CLASSES]);
    for (const [cls, instance] of resolvers) expect(instance, cls.name).toBeInstanceOf(cls);
  });

  it('serves and documents exactly the rows of the module list', async () => {
    const doc = await http<{ paths: Record<string, Record<string, unknown>> }>('GET', `${t.api}/openapi.json`);
    expect(doc.status).toBe(200);
    const documented = Object.entries(doc.body.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(ROUTE_MODULES.flatMap((r) => r.routes.map((row) => `${row.method} ${row.path}`)).sort());
    // a fleet row reaches the fleet resolver through the app (401: routed, then refused for lack of credentials)
    expect((await http('GET', `${t.api}/fleet/status`)).status).toBe(401);
  });
});
