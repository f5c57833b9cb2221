/**
 * Text normalization shared by the lexicon compiler and the detector, so a term and the text it should
 * match are always normalized the same way: lowercase, accents stripped (NFD), and only letters and digits
 * kept as word characters — hyphens, apostrophes and other punctuation are word breaks. One exception to
 * plain accent stripping: ã and õ become "an" and "on" (see `foldCase`).
 */

/** One word of a text, normalized, with where it stands in the original string. */
export interface Token {
  /** Lowercase, accent-free form. */
  norm: string;
  /** Offset of the first character in the original text. */
  start: number;
  /** Offset just past the last character in the original text. */
  end: number;
  /**
   * True when only spaces, hyphens, apostrophes or dots separate this word from the previous one, so a
   * multi-word name may continue across the gap ("Amir-Abdollahian", "U.S.").
   */
  joined: boolean;
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
const WORD_START = /[\p{L}\p{N}]/u;
const MARKS = /\p{M}+/gu;
const LOWER_ASCII_WORD = /^[a-z0-9]+$/;
const ASCII_WORD = /^[A-Za-z0-9]+$/;
const NASAL = /[ãõ]/g;
const nasalFold = (c: string): string => (c === 'ã' ? 'an' : 'on');
// A multi-word name may span a gap of at most this many characters of whitespace, hyphens and dashes,
// apostrophes or a dot (abbreviations such as "U.S.").
const MAX_JOINING_GAP = 3;

// Capitalized and accented words repeat across articles; remembering their folded form saves the
// lowercasing and NFD work. Bounded so a stream of unusual words cannot grow it without limit.
const FOLD_MEMO_MAX = 50_000;
const foldMemo = new Map<string, string>();

/** Lowercases and strips accents from one word or phrase; punctuation is kept. */
export function foldCase(text: string): string {
  if (LOWER_ASCII_WORD.test(text)) return text;
  const known = foldMemo.get(text);
  if (known !== undefined) return known;
  const lower = text.toLowerCase();
  // Portuguese ã/õ are nasal vowels: folding them to "an"/"on" keeps "Irã" (Iran) apart from "irá" (will go).
  const folded = ASCII_WORD.test(text) ? lower : lower.replace(NASAL, nasalFold).normalize('NFD').replace(MARKS, '');
  if (foldMemo.size >= FOLD_MEMO_MAX) foldMemo.clear();
  foldMemo.set(text, folded);
  return folded;
}

function isAsciiWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

function isJoiningChar(code: number): boolean {
  // space, tab, newline, hyphen, dot, apostrophes, the Unicode hyphens and dashes, no-break space
  return (
    code === 32 || code === 9 || code === 10 || code === 13 || code === 45 || code === 46 || code === 39 ||
    code === 0x2019 || code === 0x02bc || code === 0xa0 || (code >= 0x2010 && code <= 0x2014)
  );
}

/** Splits `text[from, to)` into normalized words, with offsets into the original text. */
export function tokenize(text: string, from = 0, to = text.length): Token[] {
  const tokens: Token[] = [];
  let previousEnd = -1;
  let i = from;
  while (i < to) {
    const code = text.charCodeAt(i);
    const starts = code < 128 ? isAsciiWordChar(code) : WORD_START.test(text[i] as string);
    if (!starts) {
      i++;
      continue;
    }
    const start = i;
    // Most words are plain lowercase ASCII: note whether folding is needed while scanning.
    let plain = code >= 97 || code <= 57;
    i++;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        if (!isAsciiWordChar(c)) break;
        if (c < 97 && c > 57) plain = false;
      } else {
        if (!WORD_CHAR.test(text[i] as string)) break;
        plain = false;
      }
      i++;
    }
    let joined = false;
    if (previousEnd >= 0 && start - previousEnd <= MAX_JOINING_GAP) {
      joined = true;
      for (let g = previousEnd; g < start; g++) {
        if (!isJoiningChar(text.charCodeAt(g))) {
          joined = false;
          break;
        }
      }
    }
    const word = text.slice(start, i);
    tokens.push({ norm: plain && code < 128 ? word : foldCase(word), start, end: i, joined });
    previousEnd = i;
  }
  return tokens;
}

/**
 * The normalized form of a phrase as the matcher sees it: folded words separated by one space.
 * `"Amir-Abdollahian"`, `"amir abdollahian"` and `"AMIR  ABDOLLAHIAN"` all give `"amir abdollahian"`.
 */
export function normalizeText(text: string): string {
  return tokenize(text)
    .map((token) => token.norm)
    .join(' ');
}
