import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Encryption of stored credentials (device passwords): AES-256-GCM with a random 12-byte IV per
 * value and a 16-byte tag, so a changed byte, a value moved to another row (the context is bound
 * as additional data) or a wrong key is detected instead of decrypting to garbage.
 *
 * Format (text, one column): `v1.<key id>.<iv>.<tag>.<ciphertext>`, parts base64url; the key id is
 * the first 8 hex digits of SHA-256(key) and only serves a clear "wrong key" message.
 */

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SECRET_KEY_BYTES = 32;
export const SECRET_KEY_FILE = 'secret.key';

/** A sealed value that cannot be opened: tampered, sealed under another key or for another context, or not a box at all. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const b64 = (b: Buffer) => b.toString('base64url');

export class SecretBox {
  private readonly key: Buffer;
  readonly keyId: string;

  constructor(key: Buffer) {
    if (key.length !== SECRET_KEY_BYTES) throw new Error(`secret key must be ${SECRET_KEY_BYTES} bytes, got ${key.length}`);
    this.key = Buffer.from(key);
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  /** Encrypts `plaintext`; `context` (e.g. the row's id) must be given again to open it. */
  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(`${VERSION}:${context}`, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, b64(iv), b64(cipher.getAuthTag()), b64(ct)].join('.');
  }

  /** Decrypts a value of `seal`; throws SecretBoxError when it was altered, sealed under another key or for another context. */
  open(sealed: string, context = ''): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('not a sealed secret of a known version');
    const [, keyId, ivText, tagText, ctText] = parts as [string, string, string, string, string];
    if (keyId !== this.keyId) throw new SecretBoxError(`secret was sealed with another key (key id ${keyId}, configured ${this.keyId})`);
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('sealed secret is malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(`${VERSION}:${context}`, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('sealed secret failed authentication (altered, or sealed for another record)');
    }
  }
}

function parseKeyFile(text: string, file: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    // never replaced: a new key would make every stored secret unreadable
    throw new Error(`${file} does not hold a 32-byte key as 64 hex digits; fix or restore it (stored secrets need the original key)`);
  }
  return Buffer.from(hex, 'hex');
}

function readKeyFile(file: string): Buffer | null {
  try {
    return parseKeyFile(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The key in `<dataDir>/secret.key` (or another file name: the sign-off key), generated on first
 * use (32 random bytes, hex, mode 0600).
 * Several processes starting together end with one key: each writes a complete temporary file and
 * hard-links it into place, which fails when the file exists, so the first link wins and every
 * process reads that one. Synchronous: it runs once, at startup.
 */
export function loadOrCreateKeyFile(dataDir: string, fileName = SECRET_KEY_FILE): Buffer {
  const file = path.join(dataDir, fileName);
  const existing = readKeyFile(file);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dataDir, `.${fileName}.${process.pid}.${randomUUID()}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(SECRET_KEY_BYTES).toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(tmp, 0o600); // the umask may have narrowed it further, never widened; be explicit
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  const key = readKeyFile(file);
  if (!key) throw new Error(`${file} vanished after it was created`);
  return key;
}

/** The configured key, or the data directory's generated one. */
export function secretBoxFor(cfg: { secretKey?: Buffer; dataDir: string }): SecretBox {
  return new SecretBox(cfg.secretKey ?? loadOrCreateKeyFile(cfg.dataDir));
}

/** Permission bits of the key file (for checks and tests). */
export function keyFileMode(dataDir: string, fileName = SECRET_KEY_FILE): number {
  return statSync(path.join(dataDir, fileName)).mode & 0o777;
}
