import { foldCase } from './normalize.js';

const MONTHS: Record<string, number> = {
  january: 1, february: 2, march: 3, april: 4, may: 5, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
  jan: 1, feb: 2, mar: 3, apr: 4, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  enero: 1, febrero: 2, marzo: 3, abril: 4, mayo: 5, junio: 6, julio: 7, agosto: 8, septiembre: 9, setiembre: 9, octubre: 10, noviembre: 11, diciembre: 12,
  janeiro: 1, fevereiro: 2, marco: 3, maio: 5, junho: 6, julho: 7, setembro: 9, outubro: 10, novembro: 11, dezembro: 12,
};
const MONTH = Object.keys(MONTHS).sort((a, b) => b.length - a.length).join('|');

// Matched against accent-folded lowercase text ("março" → "marco").
const PATTERNS: Array<{ re: RegExp; order: 'mdy' | 'dmy' | 'ymd' }> = [
  { re: new RegExp(`\\b(${MONTH})\\.? (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4})\\b`, 'g'), order: 'mdy' },
  { re: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th|º|°)? (?:de )?(${MONTH})\\.?,? (?:de |del |of )?(\\d{4})\\b`, 'g'), order: 'dmy' },
  { re: /\b(\d{4})-(\d{2})-(\d{2})(?!\d)/g, order: 'ymd' },
];

/**
 * The first full calendar date (with a year) written in the text, as ISO `YYYY-MM-DD`: "June 12, 2023",
 * "12 June 2023", "12 de junio de 2023", "12 de junho de 2023", "2023-06-12". Dates without a year are
 * ignored: resolving them would need the clock, which the detector does not read.
 */
export function findDate(text: string): string | undefined {
  // Folding maps ã to "an", which no month name contains, so positions of month names stay comparable.
  const folded = foldCase(text);
  let best: { at: number; iso: string } | undefined;
  for (const { re, order } of PATTERNS) {
    re.lastIndex = 0;
    for (const m of folded.matchAll(re)) {
      const iso = toIso(m, order);
      if (iso && (!best || (m.index ?? 0) < best.at)) best = { at: m.index ?? 0, iso };
      if (iso) break;
    }
  }
  return best?.iso;
}

function toIso(m: RegExpMatchArray, order: 'mdy' | 'dmy' | 'ymd'): string | undefined {
  const [, a = '', b = '', c = ''] = m;
  let year: number;
  let month: number | undefined;
  let day: number;
  if (order === 'mdy') {
    month = MONTHS[a];
    day = Number(b);
    year = Number(c);
  } else if (order === 'dmy') {
    day = Number(a);
    month = MONTHS[b];
    year = Number(c);
  } else {
    year = Number(a);
    month = Number(b);
    day = Number(c);
  }
  if (!month || month > 12 || day < 1 || day > 31 || year < 1900 || year > 2200) return undefined;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day) return undefined;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
