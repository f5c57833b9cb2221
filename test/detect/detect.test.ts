import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { findDate } from '../../src/detect/dates.js';
import { splitSentences } from '../../src/detect/sentences.js';
import { EVENT_MATRIX, NEGATIVES, TOUR } from './articles.js';
import { shippedTopic } from './topic-loader.js';

const topic = shippedTopic();

describe('detect: event types in English, Spanish and Portuguese', () => {
  it.each(EVENT_MATRIX)('%s %s', (_lang, eventType, article) => {
    const verdict = detect(article, topic);
    expect(verdict.match).toBe(true);
    expect(verdict.score).toBeGreaterThanOrEqual(0.6);
    expect(verdict.signature.eventType).toBe(eventType);
    expect(verdict.signature.latamStates.length).toBeGreaterThan(0);
    expect(verdict.reasons[0]?.rule).toMatch(/pair\+cue/);
  });
});

describe('detect: negatives', () => {
  it.each(Object.entries(NEGATIVES))('%s', (_kind, article) => {
    const verdict = detect(article, topic);
    expect(verdict.match).toBe(false);
    expect(verdict.score).toBeLessThan(0.3);
  });

  it('explains a co-mention rejection with the negative cue that subtracted', () => {
    const sport = detect(NEGATIVES.sport!, topic);
    const negative = sport.reasons.find((r) => r.rule === 'negative:sport');
    expect(negative?.weight).toBeLessThan(0);
    expect(negative?.span).toContain('World Cup');
    const markets = detect(NEGATIVES.markets!, topic);
    expect(markets.reasons.map((r) => r.rule)).toContain('negative:markets');
  });

  it('discounts a sentence that is about a third power even though it names both sides and a cue', () => {
    const sentence = 'Venezuelan President Nicolás Maduro, who has also courted Russia and Iran, met Chinese leader Xi Jinping.';
    const alone = detect({ title: '', text: sentence.replace('Russia and ', '').replace('Chinese leader Xi Jinping', 'the Iranian envoy') }, topic);
    const withPower = detect({ title: '', text: sentence }, topic);
    expect(withPower.score).toBeLessThan(alone.score / 2);
  });

  it('does not let repeated passing mentions add up', () => {
    const passing = 'Venezuela, which has close ties with Iran, has struggled with inflation.';
    const body = [
      'Venezuela’s central bank raised reserve requirements on Monday as the bolívar slid again against the dollar.',
      'Economists expect inflation to stay above 100% this year despite a rise in oil output.',
      ...Array.from({ length: 8 }, () => passing),
      'The bank did not say when it would review the measure.',
    ].join('\n\n');
    const verdict = detect({ title: 'Venezuela tightens bank reserves as currency slides', text: body }, topic);
    expect(verdict.match).toBe(false);
    expect(verdict.reasons.filter((r) => r.rule.startsWith('pair')).length).toBeLessThanOrEqual(3);
  });

  it('gives a related-link line at the end almost no weight', () => {
    const story = 'Chilean President Gabriel Boric named a new finance minister on Monday.\n\nThe minister promised to keep the budget on track.\n\nShe takes office on Wednesday.';
    const clean = detect({ title: 'Boric names finance minister', text: story }, topic);
    const noisy = detect({ title: 'Boric names finance minister', text: `${story}\n\nRelated: Iranian foreign minister arrives in Caracas to sign agreements` }, topic);
    expect(noisy.match).toBe(false);
    expect(noisy.score).toBeLessThan(0.05);
    expect(noisy.score - clean.score).toBeLessThan(0.05);
  });
});

describe('detect: structure', () => {
  const sentence = 'Iranian Foreign Minister Hossein Amir-Abdollahian met his Cuban counterpart Bruno Rodríguez Parrilla in Havana.';
  const filler = [
    'Cuba’s sugar harvest fell again this year, the agriculture ministry said.',
    'Farmers blamed a shortage of fuel and fertiliser.',
    'Prices at private markets in the capital have doubled since January.',
    'The government has promised to pay farmers more for their cane.',
    'Exports of tobacco and rum held up better than expected.',
  ];

  it('weighs the lead more than the body and the body more than the last paragraph', () => {
    const lead = detect({ title: 'Cuba news', text: [sentence, ...filler].join('\n\n') }, topic);
    const body = detect({ title: 'Cuba news', text: [filler[0], filler[1], filler[2], sentence, filler[3], filler[4]].join('\n\n') }, topic);
    const tail = detect({ title: 'Cuba news', text: [...filler, sentence].join('\n\n') }, topic);
    expect(lead.match).toBe(true);
    expect(body.match).toBe(false);
    expect(tail.match).toBe(false);
    expect(lead.score).toBeGreaterThan(body.score);
    expect(body.score).toBeGreaterThan(tail.score);
  });

  it('lets a title with both parties and a cue carry a thin article', () => {
    const verdict = detect({ title: 'Iran’s Araghchi holds talks with Venezuelan counterpart', text: filler.join('\n\n') }, topic);
    expect(verdict.match).toBe(true);
    expect(verdict.reasons[0]).toMatchObject({ rule: 'title-pair+cue:meeting', span: 'Iran’s Araghchi holds talks with Venezuelan counterpart' });
  });

  it('finds the two sides in adjacent sentences with a cue', () => {
    const verdict = detect(
      {
        title: 'Visit strengthens ties',
        text: 'Iran’s deputy foreign minister Mehdi Safari arrived on Monday for a three-day visit. He was received in Managua by Nicaraguan officials, and the two sides signed a trade protocol.',
      },
      topic,
    );
    expect(verdict.match).toBe(true);
    expect(verdict.signature).toMatchObject({ iranActors: ['Mehdi Safari'], latamStates: ['Nicaragua'], place: 'Managua' });
  });

  it('shows readable spans: the matched sentence, trimmed around the match when long', () => {
    const long = `${'The talks, which covered energy, finance, agriculture, science, pharmaceuticals and the training of engineers at several universities, '.repeat(2)}ended as Iran's foreign minister arrived in Caracas and signed a protocol with Venezuela's foreign minister Yván Gil at the Miraflores palace.`;
    const verdict = detect({ title: '', text: long }, topic);
    const span = verdict.reasons[0]?.span ?? '';
    expect(span.length).toBeLessThanOrEqual(203);
    expect(span).toContain('arrived in Caracas');
    expect(span.startsWith('…')).toBe(true);
    expect(span).not.toMatch(/\s{2}/);
  });

  it('returns a score in 0..1 and a reason list for an empty article', () => {
    const verdict = detect({ title: '', text: '' }, topic);
    expect(verdict).toEqual({ match: false, score: 0, reasons: [], signature: { iranActors: [], latamStates: [] } });
  });

  it('honours the threshold option', () => {
    const article = EVENT_MATRIX[0]![2];
    const score = detect(article, topic).score;
    expect(detect(article, topic, { threshold: score }).match).toBe(true);
    expect(detect(article, topic, { threshold: Math.min(1, score + 0.01) }).match).toBe(false);
  });
});

describe('detect: signature', () => {
  it.each(TOUR)('places each stop of a tour where its event happens: $stop', ({ stop, article }) => {
    const verdict = detect(article, topic);
    expect(verdict.match).toBe(true);
    const states: Record<string, string> = { Caracas: 'Venezuela', Managua: 'Nicaragua', Havana: 'Cuba' };
    expect(verdict.signature.place).toBe(stop);
    expect(verdict.signature.latamStates[0]).toBe(states[stop]);
    expect(verdict.signature.iranActors).toEqual(['Ebrahim Raisi']);
  });

  it('gives the three stops three different signatures with their dates', () => {
    const signatures = TOUR.map(({ article }) => detect(article, topic).signature);
    expect(signatures.map((s) => s.date)).toEqual(['2023-06-12', '2023-06-13', '2023-06-14']);
    expect(new Set(signatures.map((s) => `${s.place}|${s.latamStates[0]}`)).size).toBe(3);
  });

  it('places a Latin American minister’s visit in Tehran', () => {
    const verdict = detect(
      { title: 'Venezuela’s foreign minister visits Tehran', text: 'Venezuelan Foreign Minister Yván Gil arrived in Tehran on Saturday for talks with Iranian officials.' },
      topic,
    );
    expect(verdict.signature).toMatchObject({ place: 'Tehran', latamStates: ['Venezuela'], eventType: 'visit' });
  });
});

describe('dates and sentences', () => {
  it('reads full dates in three languages and ignores dates without a year', () => {
    expect(findDate('on June 12, 2023, the president')).toBe('2023-06-12');
    expect(findDate('on 12 June 2023')).toBe('2023-06-12');
    expect(findDate('el 11 de junio de 2022 en Teherán')).toBe('2022-06-11');
    expect(findDate('em 3 de março de 2024')).toBe('2024-03-03');
    expect(findDate('published 2023-07-20T10:00')).toBe('2023-07-20');
    expect(findDate('on June 12 the president')).toBeUndefined();
    expect(findDate('on February 30, 2023')).toBeUndefined();
  });

  it('splits sentences without breaking on abbreviations and marks headline lines', () => {
    const text = 'The U.S. envoy met Gen. Padrino. He left on Monday.\n\nRelated: Another story\nA second paragraph ends here.';
    const sentences = splitSentences(text).map((s) => ({ text: text.slice(s.start, s.end), section: s.section, headline: s.headline }));
    expect(sentences.map((s) => s.text)).toEqual([
      'The U.S. envoy met Gen. Padrino.',
      'He left on Monday.',
      'Related: Another story',
      'A second paragraph ends here.',
    ]);
    expect(sentences[0]?.section).toBe('lead');
    expect(sentences[2]?.headline).toBe(true);
    expect(sentences[3]?.section).toBe('tail');
  });
});
