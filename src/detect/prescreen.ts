/**
 * A cheap test on raw HTML, run before the page is extracted: the detector only ever finds evidence in a
 * sentence (or two consecutive sentences) naming an Iranian and a Latin American party, so a page none of whose
 * article-like blocks names both can be dropped without paying for jsdom and Readability. The screen is
 * deliberately permissive: when in doubt it passes and lets extraction decide.
 */
import { trimHtml } from '../parsers/trim.js';
import { decodeEntities } from '../parsers/xml.js';
import type { TermEntry, Topic } from './index.js';

/** The screen's answer: whether to extract the page, and why (for the log line). */
export interface PrescreenResult {
  pass: boolean;
  reason: string;
}

/** Options of `prescreen`. */
export interface PrescreenOptions {
  /** The title the feed or listing gave the page: the extractor falls back to it, so it counts as a block. */
  title?: string;
}

/** Which sides a block names. */
interface Sides {
  iran: boolean;
  latam: boolean;
  /** A domestic institution named without its country: Latin American when the page has a Latin American dateline. */
  domestic: boolean;
  /** A Latin American capital or city, as a dateline names one. */
  place: boolean;
}

type BlockKind = 'title' | 'h1' | 'p' | 'loose' | 'skip';

interface Block {
  kind: BlockKind | 'meta' | 'json-ld' | 'feed-title';
  text: string;
}

// Below this many paragraphs of at least PARAGRAPH_MIN characters the text is not laid out in <p> (a <div>/<br>
// page, a page cut short): what is outside <p> could be the story, so the page is passed.
const MIN_PARAGRAPHS = 3;
const PARAGRAPH_MIN = 80;
// Text outside <p> (a <div> or <td> of prose, a <br> layout) counts when it reads like prose: long, and mostly
// not link text, so menus, tickers and link lists are not blocks.
const LOOSE_MIN = 80;
const LOOSE_MAX_LINK_SHARE = 0.5;
const REASON_SPAN = 80;

// Tags that start or end a block. Everything else (a, span, em, strong, time, custom elements…) is inline.
const STARTS: Record<string, BlockKind> = { title: 'title', h1: 'h1', p: 'p' };
// Navigation, list items, lesser headings and form controls: menus, link lists and sidebar headlines live
// there. Lists of headlines in <li> are how tickers, "Most read" and "Related" boxes are built.
const SKIPPED = new Set(['li', 'h2', 'h3', 'h4', 'h5', 'h6', 'button', 'option', 'select', 'label', 'dt', 'textarea']);
const BREAKS = new Set([
  'div', 'section', 'article', 'main', 'aside', 'header', 'footer', 'blockquote', 'figure', 'figcaption', 'table',
  'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'ul', 'ol', 'dl', 'dd', 'form', 'hr', 'address', 'pre', 'center',
  'body', 'head', 'html', 'caption', 'details', 'summary', 'fieldset', 'nav', 'menu',
]);
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>?/g;
const META_NAME = /\b(?:name|property)\s*=\s*["']?\s*(?:og:|twitter:)?(description|title)["'\s/>]/i;
const META_CONTENT = /\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')/i;
const JSON_LD_KEYS = new Set(['headline', 'alternativeHeadline', 'description', 'articleBody']);
const JSON_LD_DEPTH = 8;
const WHITESPACE = /[\s\u00a0\u202f\u200b]+/g;

/**
 * Decides from the raw HTML whether a page could be on the topic: it passes when its title, first-level
 * heading, one paragraph (or two adjacent ones), meta description or JSON-LD headline/description/body names
 * both an Iranian and a Latin American party, and always when the page has too few `<p>` paragraphs for the
 * screen to see its text. Pure and DOM-free: one scan of the markup and the topic's own term matcher.
 */
export function prescreen(html: string, topic: Topic, options: PrescreenOptions = {}): PrescreenResult {
  const trimmed = trimHtml(html);
  const { blocks, paragraphs } = scanBlocks(trimmed.html);
  if (paragraphs < MIN_PARAGRAPHS) return { pass: true, reason: `few paragraphs (${paragraphs} of ${PARAGRAPH_MIN}+ characters)` };
  for (const body of trimmed.jsonLd) blocks.push(...jsonLdBlocks(body));
  if (options.title) blocks.push({ kind: 'feed-title', text: collapse(options.title) });

  const sides = blocks.map((block) => sidesOf(topic, block.text));
  const found = findPair(blocks, sides, (s) => s.latam);
  if (found) return found;
  // "CARACAS — The National Assembly…": an institution named without its country is Latin American when the
  // page has a Latin American dateline, which only the detector finds, after extraction. Any Latin American
  // place on the page stands in for the dateline.
  const pageLatam = sides.some((s) => s.latam);
  if (sides.some((s) => s.place)) {
    const domestic = findPair(blocks, sides, (s) => s.latam || s.domestic);
    if (domestic) return domestic;
  }
  const iran = sides.some((s) => s.iran);
  return { pass: false, reason: `no block names both sides (Iranian party: ${iran ? 'yes' : 'no'}, Latin American party: ${pageLatam ? 'yes' : 'no'})` };
}

/** The first block, or pair of adjacent blocks, naming both sides. */
function findPair(blocks: Block[], sides: Sides[], latamOf: (s: Sides) => boolean): PrescreenResult | undefined {
  for (let i = 0; i < blocks.length; i++) {
    const here = sides[i] as Sides;
    const block = blocks[i] as Block;
    if (here.iran && latamOf(here)) return { pass: true, reason: `both sides in ${block.kind}: ${excerpt(block.text)}` };
    const previous = sides[i - 1];
    if (previous && (previous.iran || here.iran) && (latamOf(previous) || latamOf(here))) {
      return { pass: true, reason: `both sides in adjacent ${(blocks[i - 1] as Block).kind} and ${block.kind}: ${excerpt(block.text)}` };
    }
  }
  return undefined;
}

function sidesOf(topic: Topic, text: string): Sides {
  const sides: Sides = { iran: false, latam: false, domestic: false, place: false };
  if (text === '') return sides;
  for (const hit of topic.match(text)) {
    for (const entry of hit.entries) mark(sides, entry);
  }
  return sides;
}

function mark(sides: Sides, entry: TermEntry): void {
  // The detector counts "Latin America" / "the Caribbean" as a (weaker) Latin American side.
  if (entry.kind === 'iran') sides.iran = true;
  else if (entry.kind === 'latam') {
    sides.latam = true;
    if (entry.place !== undefined) sides.place = true;
  } else if (entry.kind === 'region') sides.latam = true;
  else if (entry.kind === 'domestic') sides.domestic = true;
}

/**
 * One pass over the tags of trimmed HTML. Text accumulates into the current block; a block-level tag ends it.
 * Returns the article-like blocks in document order and how many `<p>` paragraphs are long enough to be prose.
 */
function scanBlocks(html: string): { blocks: Block[]; paragraphs: number } {
  const blocks: Block[] = [];
  let paragraphs = 0;
  let kind: BlockKind = 'loose';
  let parts: string[] = [];
  let linkChars = 0;
  let inLink = false;
  let navDepth = 0;

  const flush = (next: BlockKind): void => {
    if (parts.length > 0 && kind !== 'skip' && navDepth === 0) {
      const text = collapse(decodeEntities(parts.join('')));
      if (kind === 'p') {
        if (text.length >= PARAGRAPH_MIN) paragraphs++;
        if (text !== '') blocks.push({ kind, text });
      } else if (kind === 'loose') {
        if (text.length >= LOOSE_MIN && linkChars < text.length * LOOSE_MAX_LINK_SHARE) blocks.push({ kind, text });
      } else if (text !== '') {
        blocks.push({ kind, text });
      }
    }
    parts = [];
    linkChars = 0;
    kind = next;
  };

  let cursor = 0;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m !== null; m = TAG.exec(html)) {
    if (m.index > cursor) {
      const text = html.slice(cursor, m.index);
      parts.push(text);
      if (inLink) linkChars += text.trim().length;
    }
    cursor = m.index + m[0].length;
    const closing = m[1] === '/';
    const name = (m[2] as string).toLowerCase();
    const start = STARTS[name];
    if (start !== undefined) {
      flush(closing ? 'loose' : start);
    } else if (SKIPPED.has(name)) {
      flush(closing ? 'loose' : 'skip');
    } else if (BREAKS.has(name)) {
      flush('loose');
      if (name === 'nav') navDepth = Math.max(0, navDepth + (closing ? -1 : 1));
    } else if (name === 'a') {
      inLink = !closing;
    } else if (name === 'br') {
      parts.push(' ');
    } else if (name === 'meta' && !closing) {
      const content = metaContent(m[3] ?? '');
      if (content) blocks.push({ kind: 'meta', text: content });
    }
  }
  if (cursor < html.length) parts.push(html.slice(cursor));
  flush('loose');
  return { blocks, paragraphs };
}

function metaContent(attributes: string): string | undefined {
  if (!META_NAME.test(attributes)) return undefined;
  const m = META_CONTENT.exec(attributes);
  const value = m?.[1] ?? m?.[2];
  return value ? collapse(decodeEntities(value)) : undefined;
}

/** The headline, description and body strings of one JSON-LD script; the body split at its line breaks. */
function jsonLdBlocks(body: string): Block[] {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    // Broken JSON-LD is common; the page's other blocks still count.
    return [];
  }
  const out: Block[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > JSON_LD_DEPTH || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      if (typeof inner === 'string' && JSON_LD_KEYS.has(key)) {
        // Bodies may carry markup and entities; each line is a paragraph.
        for (const line of inner.split(/\n|<\/?p\b[^>]*>|<br\s*\/?>/i)) {
          const text = collapse(decodeEntities(line.replace(/<[^>]*>/g, '')));
          if (text !== '') out.push({ kind: 'json-ld', text });
        }
      } else {
        visit(inner, depth + 1);
      }
    }
  };
  visit(data, 0);
  return out;
}

function collapse(text: string): string {
  return text.replace(WHITESPACE, ' ').trim();
}

function excerpt(text: string): string {
  return text.length <= REASON_SPAN ? text : `${text.slice(0, REASON_SPAN)}…`;
}
