import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PermanentError } from '../errors.js';

/**
 * Safe XML reading for feeds and sitemaps, plus the entity and tag handling that feed titles and listing pages
 * share. Safety comes from two decisions: the DOCTYPE is cut out before parsing and fast-xml-parser never
 * expands entities (`processEntities: false`), so billion-laughs and external entities (XXE) are never
 * expanded or fetched. Entities are then decoded here, from a fixed table only.
 */

/** An element as fast-xml-parser returns it with the options below: attributes as `@_name`, text as `#text`. */
export type XmlElement = Record<string, unknown>;

/** Elements whose inner markup is kept raw, so CDATA and escaped HTML can be decoded in document order. */
const RAW_TEXT_ELEMENTS = [
  'title', 'description', 'summary', 'content', 'subtitle', 'content:encoded', 'news:title', 'dc:creator',
];

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: false,
  // Every child element becomes an array, so readers never have to guess between one and many.
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
  stopNodes: RAW_TEXT_ELEMENTS.map((name) => `*.${name}`),
  // Callbacks get a matcher instead of a freshly built path string: parsing is nearly twice as fast.
  jPath: false,
});

/** Removes the DOCTYPE (and its internal subset, where entities are declared) without interpreting it. */
export function stripDoctype(xml: string): string {
  const start = xml.search(/<!DOCTYPE/i);
  if (start === -1) return xml;
  let i = start + 9;
  let depth = 0;
  let quote = '';
  for (; i < xml.length; i++) {
    const ch = xml[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']') depth--;
    else if (ch === '>' && depth <= 0) break;
  }
  return xml.slice(0, start) + xml.slice(i + 1);
}

/** Escapes ampersands that start no entity (`Q&A`), a common publisher mistake that is otherwise fatal. */
export function escapeBareAmpersands(xml: string): string {
  return xml.replace(/&(?!(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{0,31});)/gi, '&amp;');
}

/** Prepares untrusted XML for parsing: BOM, DOCTYPE and bare ampersands out. */
export function sanitizeXml(xml: string): string {
  return escapeBareAmpersands(stripDoctype(xml.replace(/^\uFEFF/, '')));
}

/** Why the document is not well-formed, or undefined when it is. */
export function xmlProblem(xml: string): string | undefined {
  const result = XMLValidator.validate(xml);
  if (result === true) return undefined;
  return `${result.err.msg} (line ${result.err.line})`;
}

/** Parses sanitized XML into the element tree; lenient, so call {@link xmlProblem} first to know if it is whole. */
export function parseXml(xml: string): XmlElement {
  let tree: unknown;
  try {
    tree = parser.parse(xml);
  } catch (err) {
    // The parser's own limits (nesting depth, reserved names such as __proto__) end here.
    throw new PermanentError(`parse: unreadable XML (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  return isElement(tree) ? tree : {};
}

/** The name of the document element (`rss`, `feed`, `rdf:RDF`, `urlset`…), read without parsing. */
export function rootElementName(xml: string): string | undefined {
  const re = /<(!--[\s\S]*?-->|\?[\s\S]*?\?>|![^>]*>|([A-Za-z_][\w.:-]*))/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[2]) return m[2];
  }
  return undefined;
}

/** Complete `<name …>…</name>` blocks, for re-parsing items one by one when the whole document is broken. */
export function elementBlocks(xml: string, name: string, limit: number): { blocks: string[]; truncated: number } {
  const open = new RegExp(`<${name.replace(/[.:-]/g, '\\$&')}(?=[\\s/>])`, 'g');
  const close = `</${name}>`;
  const blocks: string[] = [];
  let truncated = 0;
  // Both searches only move forward, so a document of unclosed items costs one pass, not one per item.
  let nextClose = 0; // the next close tag at or after the current item; -1 once none is left
  let m = open.exec(xml);
  while (m && blocks.length < limit) {
    const start = m.index;
    const tagEnd = xml.indexOf('>', start);
    if (tagEnd === -1) {
      truncated++;
      break;
    }
    m = open.exec(xml);
    if (xml[tagEnd - 1] === '/') {
      blocks.push(xml.slice(start, tagEnd + 1));
      continue;
    }
    if (nextClose !== -1 && nextClose < tagEnd) nextClose = xml.indexOf(close, tagEnd);
    // A block with no close tag, or one that runs into the next sibling's opening tag, lost its end.
    if (nextClose === -1 || (m !== null && m.index < nextClose)) {
      truncated++;
      continue;
    }
    blocks.push(xml.slice(start, nextClose + close.length));
    open.lastIndex = nextClose + close.length;
    m = open.exec(xml);
  }
  return { blocks, truncated };
}

/** True for a plain object (an element), false for strings and arrays. */
export function isElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** All child elements called `name` (elements are arrays thanks to the parser options). */
export function children(parent: XmlElement | undefined, name: string): Array<XmlElement | string> {
  const value = parent?.[name];
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is XmlElement | string => typeof v === 'string' || isElement(v));
}

/** The first child element called `name`. */
export function child(parent: XmlElement | undefined, name: string): XmlElement | string | undefined {
  return children(parent, name)[0];
}

/** The first child called `name` that is an element (not bare text). */
export function childElement(parent: XmlElement | undefined, name: string): XmlElement | undefined {
  return children(parent, name).find(isElement);
}

/** An attribute value, entity-decoded. */
export function attribute(node: XmlElement | string | undefined, name: string): string | undefined {
  if (!isElement(node)) return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? decodeEntities(value) : undefined;
}

/** The raw text content of an element (CDATA markers and entities still in place). */
export function rawText(node: XmlElement | string | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node;
  const text = node['#text'];
  if (typeof text === 'string') return text;
  if (Array.isArray(text)) return text.filter((t): t is string => typeof t === 'string').join('');
  return '';
}

/** The character data of raw element content: CDATA kept literally, the rest entity-decoded, in document order. */
export function characterData(raw: string): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const start = raw.indexOf('<![CDATA[', i);
    if (start === -1) {
      out += decodeEntities(raw.slice(i));
      break;
    }
    out += decodeEntities(raw.slice(i, start));
    const end = raw.indexOf(']]>', start + 9);
    out += raw.slice(start + 9, end === -1 ? raw.length : end);
    i = end === -1 ? raw.length : end + 3;
  }
  return out;
}

/** Character data of a simple element such as `<link>`, `<guid>` or `<loc>`, trimmed. */
export function simpleText(node: XmlElement | string | undefined): string {
  return characterData(rawText(node)).trim();
}

/**
 * Plain text of an element. Feed text is read as HTML whatever it claims (publishers escape entities and tags
 * in "text" titles too); Atom `type="xhtml"` content arrives as raw markup, so it is stripped before decoding.
 */
export function elementText(node: XmlElement | string | undefined, markup: 'html' | 'xhtml' = 'html'): string {
  const raw = rawText(node);
  if (markup === 'xhtml') return htmlToText(raw.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1'));
  return htmlToText(characterData(raw));
}

/** Plain text from an HTML fragment: scripts, styles and comments dropped, tags removed, entities decoded. */
export function htmlToText(html: string): string {
  const withoutTags = html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<(script|style)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    // Block boundaries become spaces so "<p>one</p><p>two</p>" does not read "onetwo".
    .replace(/<\/?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|figure|figcaption|header|footer|hr)\b[^>]*>/gi, ' ')
    .replace(/<\/?[a-z][^>]*>/gi, '');
  return collapseWhitespace(decodeEntities(withoutTags));
}

/** Folds runs of whitespace (including no-break spaces) to one space and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u202f\u200b]+/g, ' ').trim();
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ensp: '\u2002', emsp: '\u2003',
  thinsp: '\u2009', shy: '', zwnj: '', zwj: '', lsquo: '\u2018', rsquo: '\u2019', sbquo: '\u201a',
  ldquo: '\u201c', rdquo: '\u201d', bdquo: '\u201e', laquo: '\u00ab', raquo: '\u00bb', lsaquo: '\u2039',
  rsaquo: '\u203a', ndash: '\u2013', mdash: '\u2014', hellip: '\u2026', middot: '\u00b7', bull: '\u2022',
  copy: '\u00a9', reg: '\u00ae', trade: '\u2122', deg: '\u00b0', euro: '\u20ac', pound: '\u00a3',
  yen: '\u00a5', cent: '\u00a2', sect: '\u00a7', para: '\u00b6', iexcl: '\u00a1', iquest: '\u00bf',
  ordf: '\u00aa', ordm: '\u00ba', times: '\u00d7', divide: '\u00f7', plusmn: '\u00b1', szlig: '\u00df',
  aelig: '\u00e6', AElig: '\u00c6', oslash: '\u00f8', Oslash: '\u00d8', aring: '\u00e5', Aring: '\u00c5',
  eth: '\u00f0', thorn: '\u00fe', prime: '\u2032', Prime: '\u2033', dagger: '\u2020', larr: '\u2190',
  rarr: '\u2192', uarr: '\u2191', darr: '\u2193', frac12: '\u00bd', frac14: '\u00bc', frac34: '\u00be',
};

// Accented Latin letters (&aacute; &Ntilde; &ccedil; …) generated rather than listed: the base letter plus a combining mark.
const ACCENTS: Record<string, string> = { acute: '\u0301', grave: '\u0300', circ: '\u0302', tilde: '\u0303', uml: '\u0308', cedil: '\u0327' };
for (const [accent, mark] of Object.entries(ACCENTS)) {
  for (const letter of 'aeiouyncAEIOUYNC') {
    const composed = (letter + mark).normalize('NFC');
    if (composed.length === 1) NAMED_ENTITIES[letter + accent] = composed;
  }
}

/** What browsers show for the C1 range, which Windows-1252 authors write as `&#146;` meaning ’. */
const WINDOWS_1252_C1: Record<number, number> = {
  0x80: 0x20ac, 0x82: 0x201a, 0x83: 0x0192, 0x84: 0x201e, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
  0x88: 0x02c6, 0x89: 0x2030, 0x8a: 0x0160, 0x8b: 0x2039, 0x8c: 0x0152, 0x8e: 0x017d, 0x91: 0x2018,
  0x92: 0x2019, 0x93: 0x201c, 0x94: 0x201d, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02dc,
  0x99: 0x2122, 0x9a: 0x0161, 0x9b: 0x203a, 0x9c: 0x0153, 0x9e: 0x017e, 0x9f: 0x0178,
};

/**
 * Decodes the five XML entities, numeric character references and the common HTML named entities, in one
 * pass (so `&amp;lt;` becomes `&lt;`, not `<`). Unknown names are left as written; nothing else is expanded.
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z][a-z0-9]{1,31}));/gi, (whole, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED_ENTITIES[name] ?? NAMED_ENTITIES[name.toLowerCase()] ?? whole;
    let code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
    code = WINDOWS_1252_C1[code] ?? code;
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
    return String.fromCodePoint(code);
  });
}

/** Resolves `href` against `base`; undefined unless the result is an absolute http(s) URL. */
export function resolveHttpUrl(href: string | undefined, base: string | undefined): string | undefined {
  const trimmed = href?.trim();
  if (!trimmed) return undefined;
  let url: URL;
  try {
    url = base === undefined ? new URL(trimmed) : new URL(trimmed, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.href;
}
