/**
 * The HTTPS certificate: read from the configured PEM files, checked (the
 * PEM parses, the key belongs to the certificate) before it is used, and
 * served with TLS 1.2 and 1.3 only.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

/** A certificate and key ready for `createServer` or `setSecureContext`. */
export interface LoadedCertificate {
  options: SecureContextOptions;
  fingerprint: string;
  validTo: string;
}

/** TLS versions served; older ones are refused in the handshake. */
export const TLS_VERSIONS = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' } as const;

/** Reads and checks a certificate chain and its private key. */
export async function loadCertificate(certFile: string, keyFile: string): Promise<LoadedCertificate> {
  const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
  const x509 = new X509Certificate(cert);
  if (!x509.checkPrivateKey(createPrivateKey(key))) {
    throw new Error(`the key in ${keyFile} does not belong to the certificate in ${certFile}`);
  }

  const options: SecureContextOptions = { cert, key, ...TLS_VERSIONS };
  createSecureContext(options);
  return { options, fingerprint: x509.fingerprint256, validTo: x509.validTo };
}
