import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { findDate } from '../../src/detect/dates.js';
import { compileTopic } from '../../src/detect/topic.js';
import { parseTopic } from '../../src/detect/lexicon.js';
import { shippedTopic } from './topic-loader.js';

const topic = shippedTopic();
const sig = (title: string, text: string, publishedAt?: string) =>
  detect(publishedAt === undefined ? { title, text } : { title, text, publishedAt }, topic).signature;

describe('ambiguous place names', () => {
  it('reads "la asunción de Ortega" as an inauguration, not Asunción, Paraguay', () => {
    const s = sig(
      'Argentina protesta por la presencia de Rezaei en Managua',
      'La cancillería argentina condenó la presencia del vicepresidente iraní Mohsen Rezaei en la asunción de Daniel Ortega en Managua.',
    );
    expect(s.latamStates).not.toContain('Paraguay');
    expect(s.place).toBe('Managua');
  });

  it('still finds Asunción and La Paz when capitalized, and not "la paz" (peace)', () => {
    const hits = (text: string) => topic.match(text).flatMap((h) => h.entries).filter((e) => e.kind === 'latam').map((e) => e.state);
    expect(hits('El canciller iraní llegó a Asunción')).toContain('Paraguay');
    expect(hits('El canciller iraní llegó a La Paz')).toContain('Bolivia');
    expect(hits('Irán habló de la paz en la región')).not.toContain('Bolivia');
  });
});

describe('places and parties', () => {
  it('prefers a place after a locative preposition over a capital that stands for a government', () => {
    const s = sig(
      'Bolivian minister signs defence pact',
      "Bolivia's defence minister signed a memorandum in Tehran on Thursday that deepens the alliance between La Paz and the Iranian government.",
    );
    expect(s.place).toBe('Tehran');
    expect(s.latamStates).toEqual(['Bolivia']);
  });

  it('does not take a capital used for a government as the place', () => {
    const s = sig('Nicaragua hails alliance with Tehran', 'President Daniel Ortega praised the alliance with Tehran in a speech on Tuesday.');
    expect(s.place).toBeUndefined();
  });

  it('uses the dateline city when the text names no other place, and lists every state made a party', () => {
    const s = sig(
      'Un juez investiga al avión venezolano con tripulantes iraníes',
      'BUENOS AIRES — Un juez federal ordenó retener los pasaportes de los tripulantes venezolanos e iraníes del avión de Emtrasur.\n\nCaracas y Teherán reclamaron la devolución del avión; la oposición argentina pidió explicaciones al gobierno.',
    );
    expect(s.latamStates).toEqual(expect.arrayContaining(['Argentina', 'Venezuela']));
    expect(s.place).toBe('Buenos Aires');
  });

  it('leaves out the state a visitor flew in from', () => {
    const s = sig(
      'Raisi in Managua',
      'MANAGUA, Nicaragua (Wire) — Ebrahim Raisi flew from Venezuela to Nicaragua on Tuesday and was received by President Daniel Ortega.',
    );
    expect(s.latamStates).toEqual(['Nicaragua']);
    expect(s.place).toBe('Managua');
  });
});

describe('offices without a name', () => {
  it('gives a foreign-ministry actor for "Iran\'s foreign minister" and a head-of-state actor for "the Iranian president"', () => {
    expect(sig('Ortega receives Iran’s foreign minister', "Daniel Ortega received Iran's foreign minister in Managua on Wednesday.").iranActors).toEqual([
      'Ministry of Foreign Affairs of Iran',
    ]);
    expect(sig('Lula recebe o presidente iraniano', 'Lula recebeu o presidente iraniano em Brasília nesta terça-feira.').iranActors).toEqual([
      'President of Iran',
    ]);
  });

  it('lets a named person win over the office', () => {
    const s = sig('Iranian President Raisi arrives in Caracas', 'Iranian President Ebrahim Raisi arrived in Caracas on Monday and met Nicolás Maduro.');
    expect(s.iranActors).toEqual(['Ebrahim Raisi']);
  });

  it('rejects a role template without a placeholder, naming the path', () => {
    const yaml = 'id: t\nname: t\niran: { canonical: Iran, names: [Iran], capital: { name: Tehran } }\nstates: [{ name: Cuba, names: [Cuba], capital: { name: Havana } }]\ncues: {}\nroles: [{ canonical: "President of {state}", en: ["president"] }]\n';
    expect(() => parseTopic(yaml, 'x.yaml')).toThrow(/roles\[0\]\.en\[0\]: must contain \{d\}/);
    const ok = yaml.replace('["president"]', '["{d} president"]').replace('names: [Iran]', 'names: [Iran], demonyms: [Iranian]');
    const t = compileTopic(parseTopic(ok, 'x.yaml'));
    expect(t.match('the Iranian president').flatMap((h) => h.entries)).toContainEqual(
      expect.objectContaining({ kind: 'iran', canonical: 'President of Iran', role: true }),
    );
  });
});

describe('row cues', () => {
  it('does not call a funeral a row, nor a joint denunciation of sanctions', () => {
    expect(
      sig(
        'Ahmadinejad mourns Chávez at state funeral in Caracas',
        "CARACAS — Iranian President Mahmoud Ahmadinejad attended Hugo Chávez's state funeral in Caracas on Friday. Pictures of Ahmadinejad embracing Chávez's mother drew criticism from clerics in Iran.",
      ).eventType,
    ).toBe('visit');
    expect(
      sig('Ortega and Raisi denounce sanctions', 'In Managua, Daniel Ortega and Ebrahim Raisi denounced US sanctions and praised their alliance.').eventType,
    ).not.toBe('row');
  });

  it('keeps acts of one government against the other as rows', () => {
    expect(
      sig('Argentina pide la captura de Vahidi', 'El gobierno argentino solicitó la detención del ministro iraní Ahmad Vahidi, acusado por el atentado contra la AMIA.').eventType,
    ).toBe('row');
  });
});

describe('dates against publishedAt', () => {
  const monday = '2023-06-12';
  it('resolves weekday words in three languages to the latest such day not after publication', () => {
    expect(findDate('Raisi arrived in Caracas on Monday', '2023-06-13T09:00:00Z')).toBe(monday);
    expect(findDate('Raisi llegó el lunes a Caracas', '2023-06-12T22:00:00Z')).toBe(monday);
    expect(findDate('Raisi chegou na segunda-feira a Caracas', '2023-06-14T10:00:00Z')).toBe(monday);
  });

  it('resolves yesterday / ayer / ontem / today', () => {
    expect(findDate('the minister arrived yesterday', '2023-06-13T09:00:00Z')).toBe(monday);
    expect(findDate('el canciller llegó ayer', '2023-06-13T09:00:00Z')).toBe(monday);
    expect(findDate('o chanceler chegou ontem', '2023-06-13T09:00:00Z')).toBe(monday);
    expect(findDate('talks today in Havana', '2023-06-12T09:00:00Z')).toBe(monday);
  });

  it('takes the year of publication for dates written without one, last year when that would be far ahead', () => {
    expect(findDate('signed on 12 June', '2023-06-20T00:00:00Z')).toBe(monday);
    expect(findDate('firmado el 12 de junio', '2023-06-20T00:00:00Z')).toBe(monday);
    expect(findDate('the visit of December 30', '2024-01-03T00:00:00Z')).toBe('2023-12-30');
    expect(findDate('on Monday', 'not a date')).toBeUndefined();
  });

  it('puts the resolved date in the signature, and a written year still wins', () => {
    expect(sig('Raisi arrives in Caracas', 'Iranian President Ebrahim Raisi arrived in Caracas on Monday.', '2023-06-13T01:00:00Z').date).toBe(monday);
    expect(sig('Raisi arrives in Caracas', 'Iranian President Ebrahim Raisi arrived in Caracas on Monday.').date).toBeUndefined();
    expect(findDate('on Monday, June 12, 2023', '2024-01-01T00:00:00Z')).toBe(monday);
  });
});

describe('institutions named without their country', () => {
  it('gives them to the dateline state, so a Congress vote on a pact with Iran has both parties', () => {
    const v = detect(
      {
        title: 'Diputados aprobó el memorando con Irán',
        text: 'BUENOS AIRES — La Cámara de Diputados convirtió en ley el memorando de entendimiento con Irán por el atentado a la AMIA con 131 votos a favor.',
      },
      topic,
    );
    expect(v.match).toBe(true);
    expect(v.signature.latamStates).toEqual(['Argentina']);
    expect(v.signature.place).toBe('Buenos Aires');
  });

  it('gives them to no one without a dateline', () => {
    const v = detect(
      { title: 'Diputados aprobó el memorando con Irán', text: 'La Cámara de Diputados convirtió en ley el memorando con Irán tras un largo debate.' },
      topic,
    );
    expect(v.signature.latamStates).toEqual([]);
  });
});
