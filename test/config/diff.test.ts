import { describe, expect, it } from 'vitest';
import { diffConfig } from '../../src/config/diff.js';
import { parseConfigText } from '../../src/config/load.js';

const SECRET_A = `whsec_${Buffer.from('first newsroom key').toString('base64')}`;
const SECRET_B = `whsec_${Buffer.from('rotated newsroom key').toString('base64')}`;

function config(text: string) {
  return parseConfigText(text, { file: 'diff.yaml', env: {} });
}

const SOURCES = `
sources:
  - {id: presstv, name: Press TV, feed: "https://www.presstv.ir/rss.xml"}
  - {id: hispantv, name: HispanTV, feed: "https://www.hispantv.com/rss/noticias", schedule: "4-59/10 * * * *"}
  - {id: tehrantimes, name: Tehran Times, feed: "https://www.tehrantimes.com/rss"}
`;

const before = config(`${SOURCES}alerts:
  webhooks:
    - {id: newsroom, url: "https://hooks.example.org/a", secret: "${SECRET_A}"}
    - {id: archive, url: "https://archive.example.org/in", secret: "${SECRET_A}"}
`);

describe('diffConfig', () => {
  it('is empty for equal configs', () => {
    expect(diffConfig(before, config(JSON.stringify(before)))).toEqual([]);
  });

  it('describes added, removed, changed and disabled sources by name', () => {
    const after = config(`
sources:
  - {id: hispantv, name: HispanTV, feed: "https://www.hispantv.com/rss/ultimas", schedule: "*/5 * * * *"}
  - {id: tehrantimes, name: Tehran Times, feed: "https://www.tehrantimes.com/rss", enabled: false}
  - {id: telesur-en, name: teleSUR English, feed: "https://www.telesurenglish.net/rss/"}
alerts:
  webhooks:
    - {id: newsroom, url: "https://hooks.example.org/a", secret: "${SECRET_A}"}
    - {id: archive, url: "https://archive.example.org/in", secret: "${SECRET_A}"}
`);
    expect(diffConfig(before, after)).toEqual([
      'source removed: Press TV',
      'source changed: HispanTV (feed, schedule)',
      'source disabled: Tehran Times',
      'source added: teleSUR English',
    ]);
  });

  it('says when a source is enabled again and other fields changed too', () => {
    const off = config('sources:\n  - {id: irna-en, name: IRNA English, feed: "https://en.irna.ir/rss", enabled: false}\n');
    const on = config('sources:\n  - {id: irna-en, name: IRNA English, feed: "https://en.irna.ir/rss", language: en}\n');
    expect(diffConfig(off, on)).toEqual(['source enabled: IRNA English', 'source changed: IRNA English (language)']);
  });

  it('describes webhooks by id and never prints secret values', () => {
    const after = config(`${SOURCES}alerts:
  webhooks:
    - {id: newsroom, url: "https://hooks.example.org/b", secret: "${SECRET_B}"}
    - {id: latam-desk, url: "https://chat.example.org/latam", secret: "${SECRET_B}", events: [created, updated]}
`);
    const lines = diffConfig(before, after);
    expect(lines).toEqual(['webhook removed: archive', 'webhook changed: newsroom (url, secret)', 'webhook added: latam-desk']);
    expect(lines.join('\n')).not.toContain('whsec_');
  });

  it('names changed settings by their dotted path', () => {
    const tuned = config(`${JSON.stringify({ ...before, fetch: { ...before.fetch, maxBodyBytes: 1_048_576, allowHosts: ['10.0.0.5'] }, log: { level: 'debug' } })}`);
    expect(diffConfig(before, tuned)).toEqual(['setting changed: fetch.maxBodyBytes', 'setting changed: fetch.allowHosts', 'setting changed: log.level']);
  });

  it('reports a setting that appears or disappears', () => {
    const withRedis = config(`${JSON.stringify({ ...before, redis: { url: 'redis://127.0.0.1:6379' } })}`);
    expect(diffConfig(before, withRedis)).toEqual(['setting changed: redis.url']);
    expect(diffConfig(withRedis, before)).toEqual(['setting changed: redis.url']);
  });
});
