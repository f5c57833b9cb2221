import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { appendSource } from '../../src/config/edit.js';
import { ConfigError, parseConfigText } from '../../src/config/load.js';
import { discoveryFixture } from './support.js';

const telesur = { id: 'surglobal', name: 'Sur Global English', feed: 'https://www.surglobal.example/rss/news.xml', language: 'en' };
const options = { file: 'watch.yaml', env: {} };

function commentLines(text: string): string[] {
  return text.split('\n').filter((line) => line.includes('#'));
}

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('appendSource', () => {
  it('adds the source after the last one and leaves every other line as it was', async () => {
    const before = await discoveryFixture('watch.yaml');
    const after = appendSource(before, telesur, options);
    for (const line of commentLines(before)) expect(after.split('\n')).toContain(line);
    // Exactly the new item was added, in the file's layout: after a blank line, at the list's indent.
    const item = '  - id: surglobal\n    name: Sur Global English\n    feed: https://www.surglobal.example/rss/news.xml\n    language: en\n';
    expect(after).toBe(before.replace('minute\n\n# --- delivery', `minute\n\n${item}\n# --- delivery`));
    expect(parseConfigText(after, options).sources.map((s) => s.id)).toEqual(['hispantv', 'plenglish', 'surglobal']);
  });

  it('keeps the shipped config byte for byte apart from the new item', async () => {
    const before = await readFile(new URL('../../config/diplowatch.yaml', import.meta.url), 'utf8');
    const after = appendSource(before, { id: 'andesdiario', name: 'Andes Diario', sitemap: 'https://www.andesdiario.example/news-sitemap.xml', schedule: '*/15 * * * *' }, options);
    expect(commentLines(after)).toEqual(expect.arrayContaining(commentLines(before)));
    expect(after.length).toBeGreaterThan(before.length);
    const item = "  - id: andesdiario\n    name: Andes Diario\n    sitemap: https://www.andesdiario.example/news-sitemap.xml\n    schedule: '*/15 * * * *'\n";
    expect(after).toContain(item);
    expect(after.replace(`\n${item}`, '')).toBe(before);
    const config = parseConfigText(after, options);
    expect(config.sources.at(-1)).toMatchObject({ id: 'andesdiario', sitemap: 'https://www.andesdiario.example/news-sitemap.xml', schedule: '*/15 * * * *' });
  });

  it('rejects a duplicate id, naming it, and leaves the text alone', async () => {
    const before = await discoveryFixture('watch.yaml');
    const err = thrown(() => appendSource(before, { ...telesur, id: 'plenglish' }, options));
    expect(err.issues).toEqual(['sources[1].id: a source with id "plenglish" already exists; choose another id']);
    expect(err.message).toContain('cannot add a source to watch.yaml');
  });

  it('rejects a source the schema refuses', async () => {
    const before = await discoveryFixture('watch.yaml');
    const err = thrown(() => appendSource(before, { id: 'x', name: 'X', feed: 'https://x.example/rss', sitemap: 'https://x.example/sitemap.xml' }, options));
    expect(err.issues).toEqual(['sources[2]: has both `feed` and `sitemap`; keep one']);
    const bad = thrown(() => appendSource(before, { id: 'y', name: 'Y', feed: 'https://y.example/rss', schedule: 'every 5 minutes' }, options));
    expect(bad.issues[0]).toMatch(/^sources\[2\]\.schedule: "every 5 minutes" is not a valid cron expression/);
  });

  it('starts a sources list when the file has none, keeping the rest', () => {
    const before = '# only delivery settings so far\nalerts:\n  timeoutMs: 5000   # slow receiver\n';
    const after = appendSource(before, telesur, options);
    expect(after.startsWith(before)).toBe(true);
    expect(parseConfigText(after, options).sources).toHaveLength(1);
    expect(parseConfigText(appendSource('', telesur, options), options).sources[0]?.id).toBe('surglobal');
  });

  it('fills an empty list written [], ~ or left blank, keeping the comment on its line and the rest of the file', () => {
    const item = '  - id: surglobal\n    name: Sur Global English\n    feed: https://www.surglobal.example/rss/news.xml\n    language: en\n';
    const rest = 'log:\n  level: debug   # while trying the new outlet\n';
    for (const [line, kept] of [
      ['sources: []   # none yet', 'sources:   # none yet'],
      ['sources:', 'sources:'],
      ['sources: ~ # filled by `diplowatch sources add`', 'sources: # filled by `diplowatch sources add`'],
    ]) {
      const after = appendSource(`${line}\n${rest}`, telesur, options);
      expect(after).toBe(`${kept}\n${item}${rest}`);
      expect(parseConfigText(after, options).log.level).toBe('debug');
    }
  });

  it('rewrites a list written [...] as a block list', () => {
    const after = appendSource('sources: [{id: a, name: A, feed: "https://a.example/rss"}]\n', telesur, options);
    expect(parseConfigText(after, options).sources.map((s) => s.id)).toEqual(['a', 'surglobal']);
    expect(after).toContain('  - id: a\n');
  });
});
