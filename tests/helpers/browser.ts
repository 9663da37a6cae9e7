import { access, constants } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

export interface BrowserProbe {
  executablePath: string;
  /** true when the suite must be skipped (no Chromium and REQUIRE_SERVICES unset). */
  skip: boolean;
  /** suite-name suffix that states why it was skipped */
  label: string;
}

/**
 * Finds Debian's Chromium (installed by .ci/services.sh), or CHROMIUM_PATH. Missing: the suite reports itself
 * skipped with the reason, unless REQUIRE_SERVICES=1 (CI), where a missing browser is a failure.
 */
export async function probeChromium(): Promise<BrowserProbe> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  try {
    await access(executablePath, constants.X_OK);
    return { executablePath, skip: false, label: '' };
  } catch {
    const reason = `no Chromium executable at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`;
    if (process.env.REQUIRE_SERVICES === '1') throw new Error(`REQUIRE_SERVICES=1 but ${reason}`);
    console.warn(`[skipped] ${reason}`);
    return { executablePath, skip: true, label: ` [skipped: ${reason}]` };
  }
}

/**
 * Headless Chromium with nothing that phones home (updates, sync, QUIC probes), so a test can assert that every
 * request the page makes goes to the server under test. Playwright gives each launch a fresh temporary profile.
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
