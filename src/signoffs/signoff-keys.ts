import type { Logger } from 'pino';
import { loadOrCreateKeyFile } from '../common/secret-box.js';

/** One HMAC key; `id` is stored with every sign-off it signs. */
export interface SignoffKey {
  id: string;
  secret: Buffer;
}

/** The key id of the embedded default (the generated key file). */
export const EMBEDDED_SIGNOFF_KEY_ID = 'local';
/** The embedded default's key file, in DATA_DIR beside the credentials key. */
export const SIGNOFF_KEY_FILE = 'signoff.key';

/**
 * The sign-off keys: the first signs new sign-offs, every key verifies the sign-offs that name its
 * id, so a rotation (a new key listed first, the old one kept behind it) leaves old sign-offs
 * valid. The keys live outside the database: someone who can rewrite rows cannot re-sign them.
 */
export class SignoffKeyRing {
  private readonly byId: ReadonlyMap<string, SignoffKey>;

  constructor(private readonly keys: readonly SignoffKey[]) {
    if (!keys.length) throw new Error('a sign-off key ring needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k]));
    if (this.byId.size !== keys.length) throw new Error('sign-off key ids must be unique');
  }

  /** the key new sign-offs are signed with */
  get signing(): SignoffKey {
    return this.keys[0]!;
  }

  /** the key a stored sign-off names, if it is still configured */
  find(id: string): SignoffKey | undefined {
    return this.byId.get(id);
  }
}

/**
 * SIGNOFF_KEYS when configured; otherwise the embedded default, a key generated once into
 * `<dataDir>/signoff.key` (mode 0600, one key for processes that start together), with a warning:
 * whoever can read the data directory can forge sign-offs, and losing it makes every sign-off
 * unverifiable.
 */
export function signoffKeyRing(cfg: { keys?: SignoffKey[]; dataDir: string }, log: Pick<Logger, 'warn'>): SignoffKeyRing {
  if (cfg.keys?.length) return new SignoffKeyRing(cfg.keys);
  log.warn(
    { file: SIGNOFF_KEY_FILE, keyId: EMBEDDED_SIGNOFF_KEY_ID },
    'SIGNOFF_KEYS is not set: sign-offs are signed with a key generated in the data directory; set SIGNOFF_KEYS (keep this key as its last entry) for production',
  );
  // the secret is the file's text (64 hex digits), so `local:<that text>` in SIGNOFF_KEYS is the same key
  const text = loadOrCreateKeyFile(cfg.dataDir, SIGNOFF_KEY_FILE).toString('hex');
  return new SignoffKeyRing([{ id: EMBEDDED_SIGNOFF_KEY_ID, secret: Buffer.from(text, 'utf8') }]);
}
