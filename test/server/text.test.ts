import { describe, expect, it } from 'vitest';
import { markTerms } from '../../src/server/page.js';
import { escapeHtml, escapeXml, findTerms, fold, highlight } from '../../src/server/text.js';
import { fixtureStories } from './fixtures.js';

describe('escaping', () => {
  it('escapes HTML specials, in content and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('drops characters XML cannot carry, keeping tabs, newlines and astral characters', () => {
    expect(escapeXml('a\u0000b\u0008c\u000Bd\tE\nF \uD83C\uDDFB\uD83C\uDDEA \uD800 \uFFFE')).toBe('abcd\tE\nF \uD83C\uDDFB\uD83C\uDDEA  ');
  });
});

describe('highlight', () => {
  it('folds accents, case, hyphens and apostrophes', () => {
    expect(fold('Irán, Amir-Abdollahian, Díaz-Canel’s')).toBe('iran, amir abdollahian, diaz canel s');
  });

  it('marks whole words only, accent-insensitively, mapping back to the original text', () => {
    const text = 'El presidente iraní Ebrahim Raisí llegó a Venezuela; los iraníes y Venezuelan media lo siguieron.';
    expect(highlight(text, ['Ebrahim Raisi', 'Venezuela', 'Iran'])).toBe(
      'El presidente iraní <mark>Ebrahim Raisí</mark> llegó a <mark>Venezuela</mark>; los iraníes y Venezuelan media lo siguieron.',
    );
  });

  it('matches a hyphenated name written with a space, and merges overlapping terms', () => {
    expect(highlight('Hossein Amir Abdollahian met them', ['Hossein Amir-Abdollahian', 'Amir-Abdollahian'])).toBe('<mark>Hossein Amir Abdollahian</mark> met them');
    expect(findTerms('Trinidad and Tobago, Trinidad', ['Trinidad and Tobago', 'Trinidad'])).toEqual([
      [0, 19],
      [21, 29],
    ]);
  });

  it('escapes the text around and inside marks', () => {
    expect(highlight('<b>Cuba</b> & Iran', ['Cuba'])).toBe('&lt;b&gt;<mark>Cuba</mark>&lt;/b&gt; &amp; Iran');
  });

  it('keeps astral characters whole next to a mark', () => {
    const text = '\uD83C\uDDFB\uD83C\uDDEA Venezuela \uD83C\uDDEE\uD83C\uDDF7';
    const [range] = findTerms(text, ['Venezuela']);
    expect(range && text.slice(range[0], range[1])).toBe('Venezuela');
    expect(highlight(text, ['Venezuela'])).toBe('\uD83C\uDDFB\uD83C\uDDEA <mark>Venezuela</mark> \uD83C\uDDEE\uD83C\uDDF7');
  });

  it('adds the surname of personal names but not the last word of institutions', () => {
    const terms = markTerms(fixtureStories().find((story) => story.id === 'raisi-caracas')!);
    expect(terms).toEqual(['Ebrahim Raisi', 'Venezuela', 'Raisi']);
    const hostile = markTerms(fixtureStories().find((story) => story.id === 'hostile-title')!);
    expect(hostile).toEqual(['Ministry of Foreign Affairs of Iran', 'Nicaragua']);
  });
});
