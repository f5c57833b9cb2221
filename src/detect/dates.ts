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
// Day and month without a year: "12 June", "June 12", "12 de junio", "12 de junho".
const DAY_MONTH = new RegExp(`\\b(?:(\\d{1,2})(?:st|nd|rd|th|º|°)? (?:de )?(${MONTH})|(${MONTH})\\.? (\\d{1,2})(?:st|nd|rd|th)?)\\b`);
// Weekdays, 0 = Sunday. Portuguese weekdays are "segunda-feira"… (folded: "segunda feira"); the bare
// "segunda"/"terça" are ordinals too, so only the "-feira" forms count.
const WEEKDAYS: Record<string, number> = {
  sunday: 0, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6,
  domingo: 0, lunes: 1, martes: 2, miercoles: 3, jueves: 4, viernes: 5, sabado: 6,
  'segunda feira': 1, 'terca feira': 2, 'quarta feira': 3, 'quinta feira': 4, 'sexta feira': 5,
};
const WEEKDAY = new RegExp(
  `\\b(?:on (sunday|monday|tuesday|wednesday|thursday|friday|saturday)|(?:el|este|esta) (domingo|lunes|martes|miercoles|jueves|viernes|sabado)|(?:na|nesta|no|neste|nessa|nesse) (segunda feira|terca feira|quarta feira|quinta feira|sexta feira|sabado|domingo))\\b`,
);
const RELATIVE: Array<{ re: RegExp; days: number }> = [
  { re: /\b(?:yesterday|ayer|ontem)\b/, days: -1 },
  { re: /\b(?:today|hoy|hoje|this morning|esta manana|esta manha)\b/, days: 0 },
];
const DAY_MS = 86_400_000;
// A day and month without a year more than this far after publication is taken to be last year's.
const FUTURE_SLACK_DAYS = 45;

/**
 * The first calendar date the text gives, as ISO `YYYY-MM-DD`. Full dates ("June 12, 2023", "12 de junio
 * de 2023", "2023-06-12") are read as written. With `publishedAt` (ISO), the text's dates without a year
 * ("12 June", "12 de junio") take the year of publication, and relative words resolve against it: "on
 * Monday", "el lunes", "na segunda-feira" (the latest such day not after publication), "yesterday",
 * "ayer", "ontem", "today". Without `publishedAt` those are ignored: the detector never reads the clock.
 */
export function findDate(text: string, publishedAt?: string): string | undefined {
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
  if (best) return best.iso;
  const reference = publishedAt === undefined ? undefined : referenceDay(publishedAt);
  if (reference === undefined) return undefined;

  const dm = DAY_MONTH.exec(folded);
  if (dm) {
    const day = Number(dm[1] ?? dm[4]);
    const month = MONTHS[dm[2] ?? dm[3] ?? ''];
    const year = new Date(reference).getUTCFullYear();
    if (month) {
      let time = validDay(year, month, day);
      if (time !== undefined && time > reference + FUTURE_SLACK_DAYS * DAY_MS) time = validDay(year - 1, month, day);
      if (time !== undefined) return iso(time);
    }
  }
  // Hyphens become spaces so "segunda-feira" reads as two words.
  const wd = WEEKDAY.exec(folded.replace(/[-‐‑]/g, ' '));
  if (wd) {
    const wanted = WEEKDAYS[wd[1] ?? wd[2] ?? wd[3] ?? ''];
    if (wanted !== undefined) {
      const back = (new Date(reference).getUTCDay() - wanted + 7) % 7;
      return iso(reference - back * DAY_MS);
    }
  }
  for (const { re, days } of RELATIVE) if (re.test(folded)) return iso(reference + days * DAY_MS);
  return undefined;
}

// Midnight UTC of the publication day, or undefined when `publishedAt` is not a date.
function referenceDay(publishedAt: string): number | undefined {
  const time = Date.parse(publishedAt);
  if (Number.isNaN(time)) return undefined;
  return Math.floor(time / DAY_MS) * DAY_MS;
}

function validDay(year: number, month: number, day: number): number | undefined {
  if (day < 1 || day > 31) return undefined;
  const time = Date.UTC(year, month - 1, day);
  return new Date(time).getUTCDate() === day ? time : undefined;
}

function iso(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
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
  if (!month || month > 12 || year < 1900 || year > 2200) return undefined;
  const time = validDay(year, month, day);
  return time === undefined ? undefined : iso(time);
}
