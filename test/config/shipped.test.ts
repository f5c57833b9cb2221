import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configJsonSchema, loadConfig, resolveFromConfig, type JsonSchemaNode } from '../../src/config/load.js';

const shipped = fileURLToPath(new URL('../../config/diplowatch.yaml', import.meta.url));

const OUTLET_IDS = [
  'rferl-iran',
  'independent-americas',
  'independent-world',
  'almayadeen-en',
  'presstv',
  'hispantv',
  'tehrantimes',
  'irna-en',
  'mehr-en',
  'tasnim-en',
  'iranintl-en',
  'telesur-en',
  'telesur-es',
  'mercopress-latam',
  'batimes',
  'bbc-latam',
  'france24-es-latam',
  'elpais-america',
  'aljazeera',
  'plenglish',
];

describe('config/diplowatch.yaml', () => {
  it('loads with no environment variables set', async () => {
    const loaded = await loadConfig(shipped, {});
    expect(loaded.config.alerts.webhooks).toEqual([]);
    expect(loaded.config.redis.url).toBeUndefined();
  });

  it('has the three seed outlets with their feeds', async () => {
    const { config } = await loadConfig(shipped, {});
    const byId = new Map(config.sources.map((source) => [source.id, source]));
    expect(byId.get('rferl-iran')?.feed).toBe('https://www.rferl.org/api/eqpmgyiuqo');
    expect(byId.get('independent-americas')?.feed).toBe('https://www.independent.co.uk/news/world/americas/rss');
    expect(byId.get('almayadeen-en')?.feed).toBe('https://english.almayadeen.net/rss');
    for (const id of ['rferl-iran', 'independent-americas', 'almayadeen-en']) expect(byId.get(id)?.enabled, id).toBe(true);
  });

  it('covers every outlet, each with a language and a staggered schedule', async () => {
    const { config } = await loadConfig(shipped, {});
    expect(config.sources.map((s) => s.id).sort()).toEqual([...OUTLET_IDS].sort());
    for (const source of config.sources) expect(source.language, source.id).toMatch(/^(en|es)$/);
    expect(config.sources.filter((s) => s.language === 'es').map((s) => s.id).sort()).toEqual(['elpais-america', 'france24-es-latam', 'hispantv', 'telesur-es']);
    const schedules = config.sources.map((s) => s.schedule);
    expect(new Set(schedules).size).toBe(schedules.length);
  });

  it('reads Prensa Latina as a listing whose pattern matches articles but not sections', async () => {
    const { config } = await loadConfig(shipped, {});
    const source = config.sources.find((s) => s.id === 'plenglish');
    expect(source?.listing).toBe('https://www.plenglish.com/');
    const pattern = new RegExp(source?.articlePattern ?? '(?!)');
    expect(pattern.test('https://www.plenglish.com/news/2023/06/15/iranian-president-concludes-latin-american-tour/')).toBe(true);
    expect(pattern.test('https://www.plenglish.com/news/2024/11/02/cuba-iran-sign-health-cooperation-memorandum')).toBe(true);
    expect(pattern.test('https://www.plenglish.com/category/latin-america/')).toBe(false);
    expect(pattern.test('https://www.plenglish.com/news/2023/06/15/')).toBe(false);
  });

  it('points detect.topic at config/topics next to it', async () => {
    const loaded = await loadConfig(shipped, {});
    expect(resolveFromConfig(loaded, loaded.config.detect.topic)).toBe(path.join(path.dirname(shipped), 'topics', 'iran-latam.yaml'));
  });

  it('tells users the feed URLs are unverified and how to check them, and shows a webhook example', async () => {
    const text = await readFile(shipped, 'utf8');
    expect(text).toMatch(/could NOT be checked/);
    expect(text).toContain('diplowatch sources check');
    expect(text).toContain('secret: ${DIPLOWATCH_WEBHOOK_SECRET}');
  });
});

describe('config/diplowatch.example.yaml', () => {
  const example = fileURLToPath(new URL('../../config/diplowatch.example.yaml', import.meta.url));
  const secret = `whsec_${Buffer.from('example key').toString('base64')}`;

  /** Every option outside lists, with its default (undefined when it has none), from the schema. */
  function settings(node: JsonSchemaNode = configJsonSchema(), at: string[] = []): Array<{ path: string[]; default: unknown }> {
    if (node.type === 'object' && node.properties) return Object.entries(node.properties).flatMap(([key, child]) => settings(child, [...at, key]));
    return [{ path: at, default: node.default }];
  }

  it('loads, with the secret from the environment', async () => {
    const { config } = await loadConfig(example, { DIPLOWATCH_WEBHOOK_SECRET: secret });
    expect(config.sources.map((s) => s.id)).toEqual(['hispantv', 'plenglish']);
    expect(config.alerts.webhooks[0]?.secret).toBe(secret);
  });

  it('names every option and shows its default', async () => {
    const text = await readFile(example, 'utf8');
    const raw = parse(text) as Record<string, unknown>;
    for (const option of settings()) {
      const key = option.path.join('.');
      if (key === 'sources' || key === 'alerts.webhooks') continue;
      if (option.default === undefined) {
        // Options without a default appear commented out, as an example value.
        expect(text, `${key} should appear (commented) in the example`).toMatch(new RegExp(`#\\s*${option.path.at(-1) ?? ''}:`));
        continue;
      }
      let value: unknown = raw;
      for (const segment of option.path) value = (value as Record<string, unknown> | undefined)?.[segment];
      expect(value, `${key} in the example should be its default`).toEqual(option.default);
    }
  });
});
