/** Quoting request text inside one-line answers and log reasons. */

/** Longest piece of request text repeated back, in characters. */
const MAX_QUOTED = 100;

/**
 * Quotes request text for a one-line answer: at most 100 characters, in
 * double quotes, with every character outside printable ASCII escaped, so
 * a value can never add a line or a control byte to a response.
 */
export function quote(text: string): string {
  const cut = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}...` : text;
  const escaped = cut.replace(/[^\x20-\x7e]|["\\]/g, (ch) =>
    ch === '"' || ch === '\\' ? `\\${ch}` : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${escaped}"`;
}
