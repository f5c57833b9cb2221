/**
 * Turns a DOM subtree into plain text the way a reader sees it: block elements become paragraphs separated by a
 * blank line, `<br>` a line break, list items a line each, whitespace collapsed. Entities are already decoded
 * by the HTML parser, so text nodes are used as they are.
 */

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'center', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup',
  'hr', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'ul',
]);
const LINES = new Set(['li', 'tr', 'caption', 'option']);
const CELLS = new Set(['td', 'th']);
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'head', 'select', 'button']);

const LINE_BREAK = '\u0001';
const PARAGRAPH_BREAK = '\u0002';

/** Plain text of a DOM node: paragraphs separated by `\n\n`, list items and `<br>` on their own lines. */
export function blockText(root: Node): string {
  const out: string[] = [];
  walk(root, out);
  return normalizeText(out.join(''));
}

function walk(node: Node, out: string[]): void {
  if (node.nodeType === TEXT_NODE) {
    out.push(node.nodeValue ?? '');
    return;
  }
  if (node.nodeType !== ELEMENT_NODE && node.nodeType !== 9 && node.nodeType !== 11) return;
  const tag = node.nodeType === ELEMENT_NODE ? (node as Element).localName : '';
  if (SKIPPED.has(tag)) return;
  if (tag === 'br') {
    out.push(LINE_BREAK);
    return;
  }
  const marker = BLOCKS.has(tag) ? PARAGRAPH_BREAK : LINES.has(tag) ? LINE_BREAK : CELLS.has(tag) ? ' ' : '';
  out.push(marker);
  for (let child = node.firstChild; child !== null; child = child.nextSibling) walk(child, out);
  out.push(marker);
}

/** Collapses whitespace and merges runs of break markers into the strongest break among them. */
function normalizeText(raw: string): string {
  const collapsed = raw.replace(/[\u200b\u200c\u200d\ufeff]/g, '').replace(/\s+/g, ' ');
  return collapsed
    .replace(/ ?[\u0001\u0002](?: ?[\u0001\u0002])*/g, (run) => (run.includes(PARAGRAPH_BREAK) ? '\n\n' : '\n'))
    .replace(/^ +| +$/gm, '')
    .trim();
}

/** Tidies text that is already plain (e.g. a JSON-LD articleBody): spaces collapsed, at most one blank line. */
export function tidyPlainText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
