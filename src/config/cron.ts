/**
 * Cron validation with a reason, so a config error can say what is wrong with the expression.
 * Accepts 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), with `*`, lists,
 * ranges, steps, and month/day names.
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const FIVE: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS },
];
const SIX: readonly Field[] = [{ name: 'second', min: 0, max: 59 }, ...FIVE];

/** Returns undefined when `expression` is a valid 5- or 6-field cron expression, else what is wrong. */
export function validateCron(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  const fields = parts.length === 5 ? FIVE : parts.length === 6 ? SIX : undefined;
  if (!fields) return `expected 5 or 6 fields, got ${parts.length}`;
  for (let i = 0; i < fields.length; i++) {
    const problem = validateField(parts[i] ?? '', fields[i] as Field);
    if (problem) return problem;
  }
  return undefined;
}

function validateField(text: string, field: Field): string | undefined {
  for (const item of text.split(',')) {
    const [range, step, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '') return `bad ${field.name} "${text}"`;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `bad step "${step}" in ${field.name}`;
    if (step !== undefined && Number(step) > field.max) return `step ${step} is larger than the ${field.name} range ${field.min}-${field.max}`;
    if (range === '*') continue;
    const ends = range.split('-');
    if (ends.length > 2) return `bad range "${range}" in ${field.name}`;
    const values: number[] = [];
    for (const end of ends) {
      const value = parseValue(end, field);
      if (value === undefined) return `${field.name} "${end}" is not a number or name`;
      if (value < field.min || value > field.max) return `${field.name} ${value} is outside ${field.min}-${field.max}`;
      values.push(value);
    }
    if (values.length === 2 && (values[0] as number) > (values[1] as number)) return `range "${range}" in ${field.name} runs backwards`;
  }
  return undefined;
}

function parseValue(text: string, field: Field): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toLowerCase() as never) ?? -1;
  if (index < 0) return undefined;
  // Months count from 1 (jan = 1); days of the week from 0 (sun = 0).
  return field.name === 'month' ? index + 1 : index;
}
