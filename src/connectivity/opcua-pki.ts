/**
 * The platform's OPC-UA PKI: one client certificate, created once and kept in `pkiDir` (default
 * DATA_DIR/opcua-pki), and the store of server certificates the platform trusts.
 *
 * Layout (node-opcua's OPCUACertificateManager, rootFolder = pkiDir):
 *   own/certs/client_certificate.pem   the platform's certificate (self-signed, 10 years)
 *   own/private/private_key.pem        its private key (2048-bit RSA, created once)
 *   trusted/certs/                     server certificates the platform trusts
 *   rejected/                          server certificates it has seen and refused
 *
 * Trust: `trustUnknownServerCertificates` true (default) trusts a server certificate the first time
 * it is seen (it is stored into trusted/certs, and from then on a *different* certificate for the same
 * server is still trusted too: TOFU per certificate, not per host). False: trusted/certs is the
 * explicit list; an unknown certificate is written to rejected/ and the connection fails with a
 * message naming the file to move into trusted/certs (picked up without restart).
 *
 * One manager per pkiDir per process, shared by every driver; initialised once (concurrent callers
 * wait for the same initialisation; creating the certificate is also locked across processes).
 */
import { X509Certificate, createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OPCUACertificateManager } from 'node-opcua-certificate-manager';

export const OPCUA_CLIENT_APPLICATION_NAME = 'Haltfree';

export interface OpcuaPki {
  rootDir: string;
  certificateManager: OPCUACertificateManager;
  certificateFile: string;
  privateKeyFile: string;
  /** the URI in the certificate's subjectAltName: the client must present exactly this */
  applicationUri: string;
  applicationName: string;
  /** SHA-1 thumbprint (hex, lower case) of the client certificate, as OPC-UA tools show it */
  thumbprint: string;
  trustUnknownServerCertificates: boolean;
  trustedFolder: string;
  rejectedFolder: string;
}

const pkis = new Map<string, { trust: boolean; promise: Promise<OpcuaPki> }>();

/**
 * The PKI kept in `pkiDir`, created on first use. Every caller in the process with the same directory
 * gets the same manager. Asking for the same directory with the other trust policy is a programming
 * error (the policy is per installation) and throws.
 */
export function getOpcuaPki(pkiDir: string, opts: { trustUnknownServerCertificates: boolean }): Promise<OpcuaPki> {
  const rootDir = path.resolve(pkiDir);
  const existing = pkis.get(rootDir);
  if (existing) {
    if (existing.trust !== opts.trustUnknownServerCertificates) {
      return Promise.reject(
        new Error(`OPC-UA PKI ${rootDir} is already in use with trustUnknownServerCertificates=${existing.trust}`),
      );
    }
    return existing.promise;
  }
  const promise = initialise(rootDir, opts.trustUnknownServerCertificates);
  pkis.set(rootDir, { trust: opts.trustUnknownServerCertificates, promise });
  // a failed initialisation (permissions, full disk) is retried by the next caller
  promise.catch(() => {
    if (pkis.get(rootDir)?.promise === promise) pkis.delete(rootDir);
  });
  return promise;
}

/** Releases the managers (file watchers). For tests and orderly shutdown; later callers re-initialise. */
export async function disposeOpcuaPkis(): Promise<void> {
  const all = [...pkis.values()];
  pkis.clear();
  await Promise.allSettled(
    all.map(async (p) => {
      const pki = await p.promise;
      await pki.certificateManager.dispose();
    }),
  );
}

async function initialise(rootDir: string, trust: boolean): Promise<OpcuaPki> {
  await fsp.mkdir(rootDir, { recursive: true, mode: 0o700 });
  const certificateManager = new OPCUACertificateManager({
    rootFolder: rootDir,
    name: 'HaltfreeOpcuaClient',
    automaticallyAcceptUnknownCertificate: trust,
    keySize: 2048,
  });
  // creates own/private/private_key.pem once (node-opcua locks the store while doing so)
  await certificateManager.initialize();
  const certificateFile = path.join(rootDir, 'own', 'certs', 'client_certificate.pem');
  const privateKeyFile = path.join(rootDir, 'own', 'private', 'private_key.pem');
  await ensureClientCertificate(certificateManager, certificateFile);

  const pem = await fsp.readFile(certificateFile, 'utf8');
  const cert = new X509Certificate(pem);
  const uri = /URI:([^,\s]+)/.exec(cert.subjectAltName ?? '')?.[1];
  if (!uri) throw new Error(`OPC-UA client certificate ${certificateFile} has no application URI in its subjectAltName`);
  return {
    rootDir,
    certificateManager,
    certificateFile,
    privateKeyFile,
    applicationUri: uri,
    applicationName: OPCUA_CLIENT_APPLICATION_NAME,
    thumbprint: createHash('sha1').update(cert.raw).digest('hex'),
    trustUnknownServerCertificates: trust,
    trustedFolder: path.join(rootDir, 'trusted', 'certs'),
    rejectedFolder: path.join(rootDir, 'rejected'),
  };
}

async function fileHasContent(file: string): Promise<boolean> {
  try {
    return (await fsp.stat(file)).size > 0;
  } catch {
    return false;
  }
}

/**
 * Creates the client certificate when missing, under a lock directory so that two processes sharing
 * the data directory create exactly one. Written to a temporary name then renamed: a reader sees no
 * file or a whole one.
 */
async function ensureClientCertificate(cm: OPCUACertificateManager, certificateFile: string): Promise<void> {
  if (await fileHasContent(certificateFile)) return;
  await fsp.mkdir(path.dirname(certificateFile), { recursive: true });
  const lockDir = `${certificateFile}.lock`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fsp.mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await fileHasContent(certificateFile)) return;
      // a lock older than a minute belongs to a process that died while creating
      const stat = await fsp.stat(lockDir).catch(() => null);
      if (stat && Date.now() - stat.mtimeMs > 60_000) {
        await fsp.rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir} (another process creating the OPC-UA client certificate)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    if (await fileHasContent(certificateFile)) return;
    const hostname = os.hostname();
    const tmp = `${certificateFile}.${process.pid}.tmp`;
    await cm.createSelfSignedCertificate({
      applicationUri: `urn:${hostname}:haltfree:opcua-client`,
      dns: [hostname],
      subject: `/CN=${OPCUA_CLIENT_APPLICATION_NAME} OPC-UA client@${hostname}/O=Haltfree`,
      startDate: new Date(Date.now() - 24 * 3600_000),
      validity: 3650,
      outputFile: tmp,
    });
    await fsp.rename(tmp, certificateFile);
  } finally {
    await fsp.rm(lockDir, { recursive: true, force: true });
  }
}

/** SHA-1 thumbprint (hex) of a DER certificate or of the first certificate of a chain. */
export function certificateThumbprint(der: Buffer): string {
  try {
    return createHash('sha1').update(new X509Certificate(der).raw).digest('hex');
  } catch {
    return createHash('sha1').update(der).digest('hex');
  }
}

/**
 * Where a refused server certificate sits: the file in rejected/ whose name carries its thumbprint
 * (node-opcua names it `<common name>[<sha1>].pem`). Null when not found.
 */
export async function findRejectedCertificateFile(pki: OpcuaPki, thumbprint: string): Promise<string | null> {
  const names = await fsp.readdir(pki.rejectedFolder).catch(() => [] as string[]);
  const hit = names.find((n) => n.toLowerCase().includes(`[${thumbprint.toLowerCase()}]`));
  return hit ? path.join(pki.rejectedFolder, hit) : null;
}
