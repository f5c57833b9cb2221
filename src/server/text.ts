/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// Characters XML 1.0 forbids even when escaped (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML content and attributes, dropping characters XML cannot carry at all. */
export function escapeXml(text: string): string {
  return escapeHtml(text.replace(XML_FORBIDDEN, ''));
}

/** Folds one character for comparison: accents removed, lowercase, hyphens and apostrophes read as spaces. */
function foldChar(char: string): string {
  const bare = char.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  return /^[-‐‑–'’]$/u.test(bare) ? ' ' : bare;
}

/** Text folded for accent- and case-insensitive matching (`Irán` → `iran`, `Amir-Abdollahian` → `amir abdollahian`). */
export function fold(text: string): string {
  let out = '';
  for (const char of text) out += foldChar(char);
  return out;
}

/** Folded text with, for each folded UTF-16 unit, the index of the original character it came from. */
function foldWithMap(text: string): { folded: string; origin: number[] } {
  let folded = '';
  const origin: number[] = [];
  let index = 0;
  for (const char of text) {
    const piece = foldChar(char);
    folded += piece;
    for (let i = 0; i < piece.length; i++) origin.push(index);
    index += char.length;
  }
  return { folded, origin };
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Where `terms` occur in `text` as whole words, accent- and case-insensitively: sorted, merged `[start, end)`
 * ranges of the original text.
 */
export function findTerms(text: string, terms: readonly string[]): Array<[number, number]> {
  const { folded, origin } = foldWithMap(text);
  const ranges: Array<[number, number]> = [];
  for (const term of new Set(terms.map(fold).map((t) => t.trim()).filter((t) => t.length > 0))) {
    let from = 0;
    for (let at = folded.indexOf(term, from); at !== -1; at = folded.indexOf(term, from)) {
      from = at + 1;
      const end = at + term.length;
      if (WORD_CHAR.test(folded[at - 1] ?? '') || WORD_CHAR.test(folded[end] ?? '')) continue;
      const start = origin[at] ?? 0;
      const last = origin[end - 1] ?? start;
      // The original character behind the last folded unit may be a surrogate pair.
      ranges.push([start, last + ((text.codePointAt(last) ?? 0) > 0xffff ? 2 : 1)]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const previous = merged[merged.length - 1];
    if (previous && range[0] <= previous[1]) previous[1] = Math.max(previous[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/** Escapes `text` for HTML and wraps each whole-word occurrence of `terms` in `<mark>`. */
export function highlight(text: string, terms: readonly string[]): string {
  let html = '';
  let at = 0;
  for (const [start, end] of findTerms(text, terms)) {
    html += escapeHtml(text.slice(at, start)) + '<mark>' + escapeHtml(text.slice(start, end)) + '</mark>';
    at = end;
  }
  return html + escapeHtml(text.slice(at));
}
