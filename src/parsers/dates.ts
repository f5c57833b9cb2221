/**
 * Date strings as outlets write them: RFC 822 in feeds, ISO 8601 in metadata, and visible forms in page text
 * ("4 Feb 2023 11:20", "February 4, 2023", "4 de febrero de 2023"). Everything resolves to an ISO 8601 UTC
 * string; a date without a zone is read as UTC because a pure parser cannot know the outlet's local time.
 */

/** Options for {@link parseDate} and {@link findVisibleDate}. */
export interface DateOptions {
  /** Reference time (ms since epoch): dates more than a day after it are rejected as nonsense. */
  now?: number;
  /** Language of the page (`es`, `pt`, `en`…): `es`/`pt` make `04/02/2023` read day first. */
  lang?: string;
}

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC. */
  offset: number;
}

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11,
  november: 11, dec: 12, december: 12,
  // Spanish
  ene: 1, enero: 1, febrero: 2, marzo: 3, abr: 4, abril: 4, mayo: 5, junio: 6, julio: 7, ago: 8,
  agosto: 8, set: 9, septiembre: 9, setiembre: 9, octubre: 10, noviembre: 11, dic: 12, diciembre: 12,
  // Portuguese (accents are stripped before matching, so "março" is "marco")
  janeiro: 1, fev: 2, fevereiro: 2, marco: 3, mai: 5, maio: 5, junho: 6, julho: 7, setembro: 9, out: 10,
  outubro: 10, novembro: 11, dez: 12, dezembro: 12,
};

const WEEKDAYS = [
  'mon', 'monday', 'tue', 'tues', 'tuesday', 'wed', 'wednesday', 'thu', 'thur', 'thurs', 'thursday', 'fri',
  'friday', 'sat', 'saturday', 'sun', 'sunday',
  'lunes', 'martes', 'miercoles', 'jueves', 'viernes', 'sabado', 'domingo',
  'segunda-feira', 'terca-feira', 'quarta-feira', 'quinta-feira', 'sexta-feira',
];

/** Zone abbreviations seen in feeds; the US ones come from RFC 822, the rest from outlets we watch. */
const ZONES: Record<string, number> = {
  z: 0, ut: 0, utc: 0, gmt: 0, wet: 0, bst: 60, cet: 60, west: 60, cest: 120, eet: 120, eest: 180,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  irst: 210, irdt: 270, art: -180, brt: -180, vet: -240,
};

const DAY_MS = 86_400_000;

const alternation = (words: Iterable<string>): string =>
  [...words].sort((a, b) => b.length - a.length).map((w) => w.replace(/[-.]/g, '\\$&')).join('|');

const MONTH = `(?<month>${alternation(Object.keys(MONTHS))})(?![a-z])\\.?`;
const WEEKDAY = `(?:(?:${alternation(WEEKDAYS)})\\.?,?\\s+)?`;
const ZONE =
  `(?<zone>(?:gmt|utc)?[+-]\\d{1,2}(?::?\\d{2})?|${alternation(Object.keys(ZONES))})(?![a-z])`;
const TIME =
  '(?<hour>\\d{1,2})[:h](?<minute>\\d{2})(?::(?<second>\\d{2}))?(?:\\s*h(?:rs?|s)?\\.?(?![a-z]))?' +
  `(?:\\s*(?<ampm>[ap]\\.?\\s?m\\.?)(?![a-z]))?(?:\\s*\\(?${ZONE}\\)?)?`;
const TIME_SEPARATOR = '(?:,?\\s+|\\s*[-–|·]\\s*|,?\\s+(?:at|a\\s+las|a\\s+la|as|às)\\s+)';
const ORDINAL = '(?:st|nd|rd|th|º|°)?';

type Groups = Record<string, string | undefined>;

/** Each form as a regex source plus how to read its groups; anchored for parseDate, scanned for findVisibleDate. */
const FORMS: Array<{ source: string; read: (g: Groups, lang: string | undefined, now: number | undefined) => DateParts | undefined }> = [
  {
    // ISO 8601 / W3C-DTF and the SQL-ish "2023-02-04 11:20:00".
    source:
      '(?<year>\\d{4})-(?<mon>\\d{2})-(?<day>\\d{2})(?:[t ](?<hour>\\d{2}):(?<minute>\\d{2})' +
      '(?::(?<second>\\d{2})(?:[.,](?<fraction>\\d+))?)?\\s*(?<zone>z|[+-]\\d{2}(?::?\\d{2})?)?)?',
    read: (g) => fromGroups(g, num(g.mon)),
  },
  {
    // RFC 822/1123 and "4 Feb 2023 11:20", "4 de febrero de 2023", "4th February 2023".
    source:
      `${WEEKDAY}(?<day>\\d{1,2})${ORDINAL}(?:\\s+de)?[\\s-]+${MONTH},?(?:\\s+de)?[\\s-]+(?<year>\\d{4}|\\d{2})` +
      `(?:${TIME_SEPARATOR}${TIME})?`,
    read: (g) => fromGroups(g, monthNumber(g.month)),
  },
  {
    // "February 4, 2023", "Feb. 4, 2023 - 11:20".
    source: `${WEEKDAY}${MONTH}\\s+(?<day>\\d{1,2})${ORDINAL},?\\s+(?<year>\\d{4})(?:${TIME_SEPARATOR}${TIME})?`,
    read: (g) => fromGroups(g, monthNumber(g.month)),
  },
  {
    // "2023/02/04" is unambiguous.
    source: `(?<year>\\d{4})/(?<mon>\\d{1,2})/(?<day>\\d{1,2})(?:${TIME_SEPARATOR}${TIME})?`,
    read: (g) => fromGroups(g, num(g.mon)),
  },
  {
    // "04/02/2023": day first in es/pt; elsewhere only when one half cannot be a month.
    source: `(?<a>\\d{1,2})(?<sep>[/.-])(?<b>\\d{1,2})\\k<sep>(?<year>\\d{4})(?:${TIME_SEPARATOR}${TIME})?`,
    read: (g, lang) => {
      const a = num(g.a);
      const b = num(g.b);
      let dayFirst: boolean;
      if (lang === 'es' || lang === 'pt') dayFirst = true;
      else if (a > 12 && b <= 12) dayFirst = true;
      else if (b > 12 && a <= 12) dayFirst = false;
      else return undefined;
      return fromGroups({ ...g, day: String(dayFirst ? a : b) }, dayFirst ? b : a);
    },
  },
  {
    // Year-less datelines ("Caracas, 12 jun (Prensa)", "June 13, 4:30 pm"): only with `now`, in its year or the one before.
    source: `(?:(?<day>\\d{1,2})${ORDINAL}(?:\\s+de)?\\s+${MONTH}|${MONTH.replace('month', 'month2')}\\s+(?<day2>\\d{1,2})${ORDINAL})(?:${TIME_SEPARATOR}${TIME})?(?!,?\\s*(?:de\\s+)?\\d)`,
    read: (g, _lang, now) => {
      if (now === undefined) return undefined;
      const month = monthNumber(g.month ?? g.month2);
      const thisYear = new Date(now).getUTCFullYear();
      const parts = fromGroups({ ...g, day: g.day ?? g.day2, year: String(thisYear) }, month);
      if (parts && Date.UTC(thisYear, month - 1, parts.day) > now + DAY_MS) parts.year = thisYear - 1;
      return parts;
    },
  },
  {
    // "3 hours ago", "hace 2 horas", "ha 5 minutos": only with `now`.
    source:
      '(?:(?<amount>\\d{1,3}|an?|one)\\s+(?<unit>min(?:ute)?s?|hours?|hrs?|days?)\\s+ago|' +
      '(?:hace|ha)\\s+(?<amount2>\\d{1,3}|una?|um|uma)\\s+(?<unit2>minutos?|horas?|dias?))',
    read: (g, _lang, now) => {
      if (now === undefined) return undefined;
      const amountText = (g.amount ?? g.amount2 ?? '').toLowerCase();
      const amount = /^\d+$/.test(amountText) ? Number(amountText) : 1;
      const unit = (g.unit ?? g.unit2 ?? '').toLowerCase();
      const unitMs = unit.startsWith('d') ? DAY_MS : unit.startsWith('h') ? 3_600_000 : 60_000;
      const then = new Date(now - amount * unitMs);
      return {
        year: then.getUTCFullYear(), month: then.getUTCMonth() + 1, day: then.getUTCDate(), hour: then.getUTCHours(),
        minute: then.getUTCMinutes(), second: 0, millisecond: 0, offset: 0,
      };
    },
  },
];

const ANCHORED = FORMS.map((f) => ({ re: new RegExp(`^${f.source}$`, 'i'), read: f.read }));
const SCANNING = FORMS.map((f) => ({ re: new RegExp(`(?<![\\w/.:-])${f.source}(?![\\w/]|[.:-]\\d)`, 'gi'), read: f.read }));

/** ISO 8601 UTC for a date string in any form this module knows, or undefined when it is not a plausible date. */
export function parseDate(text: string, options: DateOptions = {}): string | undefined {
  const cleaned = normalize(text)
    // RFC 822 allows a trailing comment such as "(IRST)".
    .replace(/\s*\([a-z ]+\)$/i, '')
    .trim();
  if (cleaned.length === 0 || cleaned.length > 80) return undefined;
  const lang = primaryLanguage(options.lang);
  for (const form of ANCHORED) {
    const m = form.re.exec(cleaned);
    if (!m?.groups) continue;
    const iso = toIso(form.read(m.groups, lang, options.now), options.now);
    if (iso) return iso;
  }
  return undefined;
}

/** The first plausible date written in running text ("Published 4 Feb 2023 11:20 | Politics"), as ISO 8601 UTC. */
export function findVisibleDate(text: string, options: DateOptions = {}): string | undefined {
  const cleaned = normalize(text);
  const lang = primaryLanguage(options.lang);
  const found: Array<{ index: number; length: number; iso: string }> = [];
  for (const form of SCANNING) {
    form.re.lastIndex = 0;
    for (const m of cleaned.matchAll(form.re)) {
      if (!m.groups) continue;
      const iso = toIso(form.read(m.groups, lang, options.now), options.now);
      if (iso) {
        found.push({ index: m.index, length: m[0].length, iso });
        break;
      }
    }
  }
  found.sort((x, y) => x.index - y.index || y.length - x.length);
  return found[0]?.iso;
}

/** Strips accents (so "março", "sábado" match) and folds the spaces outlets use around dates. */
function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s\u00a0\u202f]+/g, ' ')
    .trim();
}

function primaryLanguage(lang: string | undefined): string | undefined {
  return lang?.toLowerCase().split(/[-_]/)[0];
}

function num(value: string | undefined): number {
  return value === undefined ? 0 : Number.parseInt(value, 10);
}

function monthNumber(name: string | undefined): number {
  return name === undefined ? 0 : (MONTHS[name.toLowerCase()] ?? 0);
}

function fromGroups(g: Record<string, string | undefined>, month: number): DateParts | undefined {
  let year = num(g.year);
  // RFC 822 two-digit years; anything before 1990 is rejected later anyway.
  if (g.year !== undefined && g.year.length === 2) year += year < 70 ? 2000 : 1900;
  let hour = num(g.hour);
  if (g.ampm !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    const pm = g.ampm.toLowerCase().startsWith('p');
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  const offset = zoneOffset(g.zone);
  if (offset === undefined) return undefined;
  const fraction = g.fraction === undefined ? 0 : Math.floor(Number(`0.${g.fraction}`) * 1000);
  return { year, month, day: num(g.day), hour, minute: num(g.minute), second: num(g.second), millisecond: fraction, offset };
}

function zoneOffset(zone: string | undefined): number | undefined {
  if (zone === undefined) return 0;
  const lower = zone.toLowerCase();
  const named = ZONES[lower];
  if (named !== undefined) return named;
  const m = /^(?:gmt|utc)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(lower);
  if (!m) return undefined;
  const hours = num(m[2]);
  const minutes = num(m[3]);
  if (hours > 14 || minutes > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function toIso(parts: DateParts | undefined, now: number | undefined): string | undefined {
  if (!parts) return undefined;
  const { year, month, day, hour, minute, second, millisecond, offset } = parts;
  if (year < 1990 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millisecond);
  // Date.UTC rolls 31 April over to 1 May; a real date survives the round trip.
  if (new Date(local).getUTCDate() !== day) return undefined;
  const utc = local - offset * 60_000;
  if (now !== undefined && utc > now + DAY_MS) return undefined;
  return new Date(utc).toISOString();
}
