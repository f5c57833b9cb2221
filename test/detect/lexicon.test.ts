import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import { parseTopic } from '../../src/detect/lexicon.js';
import { compileTopic } from '../../src/detect/topic.js';
import { foldCase, normalizeText, tokenize } from '../../src/detect/normalize.js';
import { TOPIC_FILE, shippedTopic } from './topic-loader.js';

const MINIMAL = `
id: mini
name: Mini topic
iran:
  canonical: Iran
  names: [Iran]
  capital: { name: Tehran }
  people:
    - { name: Hossein Amir-Abdollahian, variants: [Amirabdollahian, Abdollahian] }
states:
  - name: Venezuela
    names: [Venezuela]
    capital: { name: Caracas }
cues:
  visit: { en: [visit*, arrived] }
`;

function parseError(yamlText: string): string {
  try {
    parseTopic(yamlText, 'topics/broken.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(PermanentError);
    return (err as Error).message;
  }
  throw new Error('expected parseTopic to throw');
}

/** Canonical names the topic finds in a text, by class. */
function found(text: string): string[] {
  return shippedTopic()
    .match(text)
    .flatMap((hit) => hit.entries)
    .map((e) => (e.kind === 'iran' || e.kind === 'latam' ? `${e.kind}:${e.canonical}` : e.kind === 'cue' ? `cue:${e.event}` : e.kind));
}

describe('normalization', () => {
  it('lowercases, strips accents and treats hyphens and apostrophes as word breaks', () => {
    expect(normalizeText('Amir-Abdollahian')).toBe('amir abdollahian');
    expect(normalizeText('  AMIR   ABDOLLAHIAN ')).toBe('amir abdollahian');
    expect(normalizeText('Teherán, Irán')).toBe('teheran iran');
    expect(normalizeText('Iran’s envoy')).toBe(normalizeText("Iran's envoy"));
    expect(normalizeText('Díaz‑Canel')).toBe('diaz canel');
    expect(foldCase('NICARAGÜENSE')).toBe('nicaraguense');
  });

  it('folds Portuguese nasal vowels so Irã (Iran) and irá (will go) stay apart', () => {
    expect(foldCase('Irã')).toBe('iran');
    expect(foldCase('irá')).toBe('ira');
    expect(found('O presidente irá a Brasília')).not.toContain('iran:Iran');
    expect(found('O Irã enviou seu chanceler a Brasília')).toContain('iran:Iran');
  });

  it('keeps offsets into the original text and marks words a name may continue into', () => {
    const tokens = tokenize('Sr. Amir-Abdollahian, ayer');
    expect(tokens.map((t) => t.norm)).toEqual(['sr', 'amir', 'abdollahian', 'ayer']);
    expect(tokens[2]?.joined).toBe(true);
    expect(tokens[3]?.joined).toBe(false);
    expect('Sr. Amir-Abdollahian, ayer'.slice(tokens[1]?.start, tokens[2]?.end)).toBe('Amir-Abdollahian');
  });
});

describe('parseTopic', () => {
  it('accepts the shipped lexicon with all 33 Latin American and Caribbean states', () => {
    const lexicon = parseTopic(readFileSync(TOPIC_FILE, 'utf8'), TOPIC_FILE);
    expect(lexicon.states).toHaveLength(33);
    expect(new Set(lexicon.states.map((s) => s.name)).size).toBe(33);
    expect(lexicon.states.map((s) => s.name)).toEqual(expect.arrayContaining(['Antigua and Barbuda', 'Venezuela', 'Saint Vincent and the Grenadines']));
    expect(Object.keys(lexicon.cues).sort()).toEqual(['agreement', 'call', 'embassy', 'meeting', 'row', 'statement', 'visit']);
  });

  it('fills defaults in a minimal lexicon', () => {
    const lexicon = parseTopic(MINIMAL, 'mini.yaml');
    expect(lexicon.iran.demonyms).toEqual([]);
    expect(lexicon.cues.visit?.weight).toBe(1);
    expect(lexicon.negatives).toEqual({});
  });

  it('names the file and the path of a missing field', () => {
    const message = parseError(MINIMAL.replace('capital: { name: Caracas }', 'capital: {}'));
    expect(message).toMatch(/^topic: topics\/broken\.yaml: states\[0\]\.capital\.name: /);
  });

  it('names the path of a wrong type, an unknown key and an unknown event type', () => {
    expect(parseError(MINIMAL.replace('names: [Venezuela]', 'names: Venezuela'))).toContain('states[0].names:');
    expect(parseError(MINIMAL.replace('cues:', 'colour: red\ncues:'))).toMatch(/\(top level\).*colour|colour/);
    expect(parseError(MINIMAL.replace('visit: {', 'parade: {'))).toContain('cues');
    expect(parseError(MINIMAL.replace('[Amirabdollahian, Abdollahian]', '[Amirabdollahian, ""]'))).toContain(
      'iran.people[0].variants[1]: must not be empty',
    );
  });

  it('reports YAML syntax errors with the file name', () => {
    expect(parseError('id: [unclosed')).toMatch(/^topic: topics\/broken\.yaml: not valid YAML/);
  });
});

describe('compileTopic', () => {
  it('maps every spelling of a name to one canonical actor', () => {
    const families: Array<[string[], string]> = [
      [['Amir-Abdollahian', 'Amirabdollahian', 'Amir Abdollahian', 'Abdollahian', 'Hosein Amir Abdolahian', 'AMIR-ABDOLLAHIAN'], 'iran:Hossein Amir-Abdollahian'],
      [['Raisi', 'Raeisi', 'Raïssi', 'Raisí', 'Ebrahim Raisi'], 'iran:Ebrahim Raisi'],
      [['Araghchi', 'Araqchi', 'Araqchí', 'Abbas Araghchi'], 'iran:Abbas Araghchi'],
      [['Kanaani', 'Kanani', 'Nasser Kanaani'], 'iran:Nasser Kanaani'],
      [['Bagheri Kani', 'Ali Bagheri Kani'], 'iran:Ali Bagheri Kani'],
      [['Rouhani', 'Rohani', 'Hasán Rohaní'], 'iran:Hassan Rouhani'],
      [['IRGC', 'Revolutionary Guards', 'Guardia Revolucionaria', 'Guarda Revolucionária'], 'iran:Islamic Revolutionary Guard Corps'],
      [['Iran', 'Irán', 'Irã', 'IRAN', 'Iranian', 'iraní', 'iranianos', 'Tehran', 'Teherán', 'Teerã'], 'iran:Iran'],
      [['Díaz-Canel', 'Diaz Canel', 'Miguel Díaz-Canel'], 'latam:Miguel Díaz-Canel'],
      [['Cuba', 'cubano', 'Havana', 'La Habana'], 'latam:Cuba'],
      [['Venezuela', 'venezolana', 'venezuelano', 'Caracas'], 'latam:Venezuela'],
      [['Brasil', 'Brazil', 'brasileiro', 'Brasília', 'Brasilia'], 'latam:Brazil'],
      [['Lula', 'Lula da Silva', 'Luiz Inácio Lula da Silva'], 'latam:Luiz Inácio Lula da Silva'],
      [['Bolivia', 'Bolívia', 'boliviano', 'La Paz'], 'latam:Bolivia'],
    ];
    for (const [variants, canonical] of families) {
      for (const variant of variants) expect(found(`x ${variant} y`), variant).toContain(canonical);
    }
  });

  it('prefers the longest term, so a president is not read as a capital', () => {
    expect(found('Santiago Peña')).toEqual(['latam:Santiago Peña']);
    expect(found('Santiago de Cuba')).toEqual(['latam:Cuba']);
    expect(found('Dominican Republic')).toEqual(['latam:Dominican Republic']);
  });

  it('ignores names inside other names', () => {
    expect(found('New Mexico')).toEqual([]);
    expect(found('the Persian Gulf')).toEqual([]);
    expect(found('paid in bolívares')).toEqual([]);
  });

  it('matches whole words only and wildcard stems on word endings', () => {
    expect(found('Iranians')).toEqual(['iran:Iran']);
    expect(found('Irangate')).toEqual([]);
    expect(found('firmaron')).toEqual(['cue:agreement']);
    expect(found('visitará')).toEqual(['cue:visit']);
    expect(found('revisit')).toEqual([]);
  });

  it('does not join a name across a comma', () => {
    expect(found('Amir, Abdollahian')).toEqual(['iran:Hossein Amir-Abdollahian']);
    expect(shippedTopic().match('Amir, Abdollahian')[0]?.start).toBe(6);
  });

  it('builds one trie for the whole lexicon', () => {
    const topic = compileTopic(parseTopic(MINIMAL, 'mini.yaml'));
    expect(topic.termCount).toBe(9);
    expect(topic.match('Amirabdollahian visited Caracas').map((h) => h.entries[0]?.kind)).toEqual(['iran', 'cue', 'latam']);
  });
});
