/** Where a sentence stands in the article; the detector weighs evidence by it. */
export type Section = 'title' | 'lead' | 'body' | 'tail';

/** One sentence of an article, as offsets into the text it came from. */
export interface Sentence {
  start: number;
  end: number;
  section: Section;
  /** Index of the paragraph (-1 for the title). */
  paragraph: number;
  /** Relative position of the paragraph in the body, 0 (first) .. 1 (last). */
  depth: number;
  /**
   * The sentence is a whole short line without closing punctuation: a headline in a related-links list, a
   * menu or a caption that Readability kept, more often than prose.
   */
  headline: boolean;
}

// Words after which a full stop does not end a sentence.
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'sr', 'sra', 'srta', 'dra', 'gen', 'gral', 'lt', 'col', 'st', 'no', 'nº', 'jr', 'prof', 'gov',
  'sen', 'rep', 'amb', 'mt', 'vs', 'ing', 'lic', 'pres', 'cmdr', 'adm', 'jan', 'feb', 'apr', 'jun', 'jul', 'aug', 'sep',
  'sept', 'oct', 'nov', 'dec', 'ene', 'abr', 'dic', 'fev', 'dez',
]);
const BOUNDARY = /[.!?…]+["'”’»)\]]*\s+/g;
const STARTS_SENTENCE = /^["'“‘«(¿¡\[]?[\p{Lu}\p{N}]/u;
const CLOSING_CHARS = new Set(['.', '!', '?', '…', ':', ';', '"', "'", '”', '’', '»', ')']);
const HEADLINE_MAX = 160;
// The lead: the first paragraph, at most this many sentences, and at least the first two of the article.
const LEAD_MAX = 3;
const LEAD_MIN = 2;

/**
 * Splits an article body into paragraphs (blank lines, or single lines that look like headlines) and
 * sentences, and labels each with its section: lead, body, or tail (the last paragraph of a longer text).
 */
export function splitSentences(text: string): Sentence[] {
  const paragraphs = splitParagraphs(text);
  const raw: Array<Omit<Sentence, 'section' | 'depth'>> = [];
  paragraphs.forEach((para, index) => {
    const parts = splitParagraph(text, para.start, para.end);
    const lone = parts.length === 1;
    for (const [start, end] of parts) {
      const length = end - start;
      const headline = lone && length <= HEADLINE_MAX && !endsClosed(text, start, end);
      raw.push({ start, end, paragraph: index, headline });
    }
  });
  const last = paragraphs.length - 1;
  const leadParagraph = firstProse(raw);
  let leadCount = 0;
  return raw.map((s) => {
    let section: Section = 'body';
    const inLead = (s.paragraph === leadParagraph && leadCount < LEAD_MAX) || leadCount < LEAD_MIN;
    if (inLead && !s.headline) {
      section = 'lead';
      leadCount++;
    } else if (last >= 2 && s.paragraph === last) {
      section = 'tail';
    }
    return { ...s, section, depth: last > 0 ? s.paragraph / last : 0 };
  });
}

// The lead starts at the first paragraph that reads as prose, skipping a kicker or dateline line.
function firstProse(sentences: ReadonlyArray<{ paragraph: number; headline: boolean }>): number {
  return sentences.find((s) => !s.headline)?.paragraph ?? 0;
}

function splitParagraphs(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let blockStart = -1;
  let blockEnd = -1;
  const flush = (): void => {
    if (blockStart >= 0) out.push({ start: blockStart, end: blockEnd });
    blockStart = -1;
  };
  const lineRe = /[^\n]*(?:\n|$)/g;
  for (const m of text.matchAll(lineRe)) {
    if (m[0] === '') break;
    const lineStart = m.index ?? 0;
    const content = m[0].trimEnd();
    const lead = content.length - content.trimStart().length;
    if (content.trim() === '') {
      flush();
      continue;
    }
    const start = lineStart + lead;
    const end = lineStart + content.length;
    // A short line without closing punctuation stands alone (a headline, a menu, a link), even when no
    // blank line separates it from prose.
    const standalone = end - start <= HEADLINE_MAX && !endsClosed(text, start, end);
    if (standalone) {
      flush();
      out.push({ start, end });
      continue;
    }
    if (blockStart < 0) blockStart = start;
    blockEnd = end;
  }
  flush();
  return out;
}

function splitParagraph(text: string, from: number, to: number): Array<[number, number]> {
  const para = text.slice(from, to);
  const parts: Array<[number, number]> = [];
  let start = 0;
  for (const m of para.matchAll(BOUNDARY)) {
    const at = m.index ?? 0;
    const next = at + m[0].length;
    if (next >= para.length) break;
    if (!STARTS_SENTENCE.test(para.slice(next, next + 3))) continue;
    if (m[0][0] === '.' && isAbbreviation(para, at)) continue;
    parts.push([from + start, from + at + m[0].trimEnd().length]);
    start = next;
  }
  parts.push([from + start, to]);
  return parts;
}

// Whether the text ends with closing punctuation, ignoring trailing whitespace. (A regex anchored with
// `$` would rescan the whole paragraph.)
function endsClosed(text: string, start: number, end: number): boolean {
  let i = end - 1;
  while (i >= start && /\s/.test(text[i] as string)) i--;
  return i >= start && CLOSING_CHARS.has(text[i] as string);
}

function isAbbreviation(para: string, dot: number): boolean {
  let i = dot;
  while (i > 0 && /[\p{L}.]/u.test(para[i - 1] as string)) i--;
  const word = para.slice(i, dot).toLowerCase();
  // Initials and dotted abbreviations: "U.S.", "J."
  if (word.length <= 1 || word.includes('.')) return true;
  return ABBREVIATIONS.has(word);
}
