/**
 * Domain names in one canonical form: lower case, no trailing dot, labels
 * joined by single dots. The root is the empty string. Every name is
 * normalised once where it enters (config, command line, HTTP, DNS) and
 * compared in this form everywhere else.
 */

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Lower-cases a name and strips one trailing dot. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * True for a host name we accept as an owner: labels of letters, digits,
 * `-` and `_`, each 1–63 bytes, 253 bytes at most in all; a leading `*`
 * label is allowed when `wildcard` is set. Expects canonical form.
 */
export function isValidName(name: string, wildcard = false): boolean {
  if (name === '' || name.length > 253) return false;

  const labels = name.split('.');
  return labels.every((label, i) => (wildcard && i === 0 && label === '*') || LABEL.test(label));
}

/**
 * True for an owner name in a zone file: like `isValidName`, but a `*`
 * label may stand anywhere (only a leading one is a wildcard; RFC 4592 §2.1.1).
 */
export function isValidOwner(name: string): boolean {
  if (name === '' || name.length > 253) return name === '';

  return name.split('.').every((label) => label === '*' || LABEL.test(label));
}

/** True when `name` equals `parent` or lies below it. */
export function isAtOrBelow(name: string, parent: string): boolean {
  if (parent === '') return true;
  return name === parent || name.endsWith('.' + parent);
}

/** The name one label up; the root's parent is the root. */
export function parentName(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

/** Number of labels; the root has none. */
export function labelCount(name: string): number {
  return name === '' ? 0 : name.split('.').length;
}

/** `name` written relative to `origin` (`@` for the origin itself). */
export function relativeName(name: string, origin: string): string {
  if (name === origin) return '@';
  if (origin !== '' && name.endsWith('.' + origin)) return name.slice(0, -origin.length - 1);
  return name + '.';
}

/** Uncompressed wire form of a canonical name (RFC 1035 §3.1). */
export function nameToWire(name: string): Buffer {
  if (name === '') return Buffer.from([0]);

  const parts = name.split('.').map((label) => {
    const bytes = Buffer.from(label, 'latin1');
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}
