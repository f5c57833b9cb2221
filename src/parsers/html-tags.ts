import { decodeEntities } from './xml.js';

/** Pieces of the small, linear HTML tag scanners used where a DOM would be too slow (listings, feed autodiscovery). */

const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const EQUALS = 0x3d;
const GREATER_THAN = 0x3e;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/** Index of the `>` that closes a tag, skipping `>` inside quoted attribute values; the text's end when none does. */
export function findTagEnd(html: string, from: number): number {
  let quote = 0;
  let previous = 0;
  for (let j = from; j < html.length; j++) {
    const ch = html.charCodeAt(j);
    if (quote !== 0) {
      if (ch === quote) quote = 0;
    } else if ((ch === DOUBLE_QUOTE || ch === SINGLE_QUOTE) && previous === EQUALS) {
      // Quotes open a value only right after "=" (spaces allowed); elsewhere (`content=Iran's`) they are ordinary.
      quote = ch;
    } else if (ch === GREATER_THAN) {
      return j;
    }
    if (ch > 32) previous = ch;
  }
  return html.length;
}

/** A tag's attributes (the text between its name and its `>`), names lowercased, values decoded; the first wins. */
export function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const m of source.matchAll(ATTRIBUTE)) {
    const name = m[1]?.toLowerCase();
    if (name === undefined || attributes.has(name)) continue;
    attributes.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? '').trim());
  }
  return attributes;
}
