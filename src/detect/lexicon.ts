import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PermanentError } from '../errors.js';
import type { EventType } from './types.js';

/**
 * The topic lexicon as users write it (`config/topics/*.yaml`): names of the two sides, diplomacy cues
 * and negative cues. This module only validates; `compileTopic` turns it into a matcher.
 */

const term = z.string().trim().min(1, { message: 'must not be empty' });
const terms = z.array(term);

const person = z
  .object({
    name: term.describe('Canonical name, shown in alerts and story signatures.'),
    role: z.string().optional().describe('Documentation only.'),
    years: z.union([z.string(), z.number()]).optional().describe('Documentation only.'),
    variants: terms.default([]).describe('Other spellings and short forms that mean this person.'),
  })
  .strict();

const place = z
  .object({
    name: term,
    variants: terms.default([]),
  })
  .strict();

const stateSchema = z
  .object({
    name: term.describe('Canonical English name of the state.'),
    names: terms.min(1),
    demonyms: terms.default([]),
    capital: place,
    cities: terms.default([]),
    people: z.array(person).default([]),
  })
  .strict();

const byLanguage = z
  .object({
    en: terms.default([]),
    es: terms.default([]),
    pt: terms.default([]),
  })
  .strict();

const cueGroup = byLanguage.extend({ weight: z.number().min(0).max(1).default(1) }).strict();

const negativeGroup = byLanguage
  .extend({
    per: z.number().min(0).max(1).default(0.1).describe('Penalty for each distinct negative word found.'),
    cap: z.number().min(0).max(1).default(0.4).describe('Largest penalty this kind can give.'),
    sentence: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe('Factor on the evidence of a sentence that contains one of these words (1 = no effect).'),
  })
  .strict();

// A role template: "{d}" stands for each demonym of a side, "{n}" for each of its names, so one line
// ("{d} foreign minister") covers "Iranian foreign minister", "Venezuelan foreign minister" and so on.
const roleTemplate = z
  .string()
  .trim()
  .regex(/\{[dn]\}/, { message: 'must contain {d} (demonym) or {n} (name)' });

const roleSchema = byLanguage
  .extend({
    canonical: term.describe('Canonical actor name; "{state}" becomes the side\'s canonical name, e.g. "President of {state}".'),
    en: z.array(roleTemplate).default([]),
    es: z.array(roleTemplate).default([]),
    pt: z.array(roleTemplate).default([]),
  })
  .strict();

const eventTypes = ['visit', 'meeting', 'call', 'agreement', 'embassy', 'row', 'statement'] as const satisfies readonly EventType[];

export const topicSchema = z
  .object({
    id: term,
    name: term,
    iran: z
      .object({
        canonical: term,
        names: terms.min(1),
        demonyms: terms.default([]),
        capital: place,
        institutions: z.array(person).default([]),
        people: z.array(person).default([]),
      })
      .strict(),
    region: z.object({ canonical: term, terms: terms.default([]) }).strict().optional(),
    states: z.array(stateSchema).min(1),
    ignore: terms.default([]),
    cues: z.partialRecord(z.enum(eventTypes), cueGroup),
    negatives: z.record(z.string().regex(/^[a-z][a-z-]*$/, { message: 'must be a lowercase kind name such as "sport"' }), negativeGroup).default({}),
    relatedMarkers: terms.default([]),
    roles: z.array(roleSchema).default([]),
    domestic: byLanguage
      .default({ en: [], es: [], pt: [] })
      .describe('Institutions named without their country ("the Senate", "la Cancillería"): they belong to the dateline\'s state.'),
    cased: terms
      .default([])
      .describe('Place names that are also common words ("asunción", "la paz"): they match only when capitalized.'),
  })
  .strict();

/** A validated topic lexicon, as written in the YAML file with defaults filled in. */
export type TopicLexicon = z.infer<typeof topicSchema>;

/** Languages the lexicon has cue lists for. */
export type CueLanguage = 'en' | 'es' | 'pt';

/**
 * Parses and validates a topic lexicon file's text. `file` is only used in error messages.
 * Throws a PermanentError naming the file and the path of every problem, e.g.
 * `topic: config/topics/x.yaml: states[3].capital.name: Invalid input: expected string, received undefined`.
 */
export function parseTopic(yamlText: string, file: string): TopicLexicon {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText, { prettyErrors: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new PermanentError(`topic: ${file}: not valid YAML (${message})`, { cause: err });
  }
  const result = topicSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new PermanentError(`topic: ${file}: ${problems.join('; ')}`);
  }
  return result.data;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
