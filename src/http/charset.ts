/**
 * Character set detection and decoding of fetched bodies. Pure.
 */

/** How far into a document `<meta charset>` is looked for (the HTML spec's prescan reads 1024 bytes; outlets pad more). */
const META_SCAN_BYTES = 2048;

/** The WHATWG name of an encoding label (`latin1` → `windows-1252`), or undefined when TextDecoder does not know it. */
function canonicalEncoding(label: string | undefined): string | undefined {
  if (!label) return undefined;
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    return undefined;
  }
}

function charsetParameter(contentType: string | undefined): string | undefined {
  const match = contentType ? /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType) : null;
  return match?.[1];
}

function bomEncoding(head: Uint8Array): string | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function metaEncoding(headText: string): string | undefined {
  // Matches both <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">.
  const label = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(headText)?.[1];
  const encoding = canonicalEncoding(label);
  // A document whose bytes could be read as ASCII to find this tag is not UTF-16, whatever it says.
  return encoding?.startsWith('utf-16') ? 'utf-8' : encoding;
}

function xmlPrologEncoding(headText: string): string | undefined {
  return canonicalEncoding(/^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([\w.:-]+)["']/.exec(headText)?.[1]);
}

/**
 * The encoding to decode a body with, as a WHATWG encoding name: the Content-Type `charset`, else a byte order
 * mark, else `<meta charset>` / `<meta http-equiv=Content-Type>` in the first 2 KB, else the `<?xml encoding?>`
 * prolog, else `utf-8`. Labels TextDecoder does not know are skipped.
 */
export function detectCharset(contentType: string | undefined, head: Uint8Array): string {
  const fromHeader = canonicalEncoding(charsetParameter(contentType));
  if (fromHeader) return fromHeader;
  const fromBom = bomEncoding(head);
  if (fromBom) return fromBom;
  // latin1 maps each byte to one code unit, so ASCII markup survives whatever the real encoding is.
  const headText = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, META_SCAN_BYTES)).toString('latin1');
  return metaEncoding(headText) ?? xmlPrologEncoding(headText) ?? 'utf-8';
}

/** What windows-1252 puts at 0x80–0x9F, where ISO-8859-1 has C1 controls (WHATWG index; five bytes map to themselves). */
const WINDOWS_1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * Node 20.18.3+ and 22.13+ decode `windows-1252` as ISO-8859-1 (nodejs/node#60888), turning an outlet's curly
 * quotes and euro signs into control characters, so this one encoding is decoded here.
 */
function decodeWindows1252(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

/** Decodes a whole body to text with the detected charset; invalid bytes become U+FFFD. */
export function decodeBody(contentType: string | undefined, body: Uint8Array): string {
  const encoding = detectCharset(contentType, body);
  if (encoding === 'windows-1252') return decodeWindows1252(body);
  return new TextDecoder(encoding).decode(body);
}
