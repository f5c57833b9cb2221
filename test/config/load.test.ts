import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, configPathFrom, loadConfig, parseConfigText, resolveFromConfig } from '../../src/config/load.js';

const fixtures = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
const SECRET = `whsec_${Buffer.from('iran-latam newsroom signing key 2023').toString('base64')}`;
const OTHER_SECRET = `whsec_${Buffer.from('latam desk key').toString('base64')}`;

function parse(text: string, env: Record<string, string | undefined> = {}) {
  return parseConfigText(text, { file: 'test.yaml', env });
}

/** The ConfigError thrown by parsing `text`; fails the test when parsing succeeds. */
function errorOf(text: string, env: Record<string, string | undefined> = {}): ConfigError {
  try {
    parse(text, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

/** The ConfigError thrown by loading `file`; fails the test when loading succeeds. */
async function loadErrorOf(file: string, env: Record<string, string | undefined> = {}): Promise<ConfigError> {
  try {
    await loadConfig(file, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, but the config was loaded');
}

const hispantv = `
  - id: hispantv
    name: HispanTV
    feed: https://www.hispantv.com/rss/noticias`;

describe('parseConfigText: defaults', () => {
  it('fills every section from an empty file', () => {
    const config = parse('# nothing configured yet\n');
    expect(config.sources).toEqual([]);
    expect(config.alerts).toEqual({ webhooks: [], timeoutMs: 15_000, attempts: 30, retryBaseMs: 10_000, retryMaxMs: 3_600_000 });
    expect(config.fetch.maxBodyBytes).toBe(5 * 1024 * 1024);
    expect(config.fetch.allowPrivateNetworks).toBe(false);
    expect(config.detect).toEqual({ topic: 'topics/iran-latam.yaml', threshold: 0.5, prescreen: true });
    expect(config.state.dir).toBe('state');
    expect(config.log.level).toBe('info');
    expect(config.redis.url).toBeUndefined();
  });

  it('fills source and webhook defaults', () => {
    const config = parse(`sources:${hispantv}\nalerts:\n  webhooks:\n    - {id: newsroom, url: "https://hooks.example.org/x", secret: "${SECRET}"}\n`);
    expect(config.sources[0]).toEqual({
      id: 'hispantv',
      name: 'HispanTV',
      feed: 'https://www.hispantv.com/rss/noticias',
      schedule: '*/10 * * * *',
      enabled: true,
      maxAgeDays: 3,
    });
    expect(config.alerts.webhooks[0]).toMatchObject({ id: 'newsroom', events: ['created'], enabled: true });
  });

  it('keeps detect.topic and state.dir as written', () => {
    const config = parse('detect:\n  topic: ../lexicons/custom.yaml\nstate:\n  dir: ./var/diplowatch\n');
    expect(config.detect.topic).toBe('../lexicons/custom.yaml');
    expect(config.state.dir).toBe('./var/diplowatch');
  });

  it('returns a deep-frozen config', () => {
    const config = parse(`sources:${hispantv}\n`);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.sources)).toBe(true);
    expect(Object.isFrozen(config.sources[0])).toBe(true);
    expect(Object.isFrozen(config.fetch.allowHosts)).toBe(true);
    expect(() => {
      (config.fetch as { maxBodyBytes: number }).maxBodyBytes = 1;
    }).toThrow(TypeError);
    expect(() => (config.sources as unknown[]).push({})).toThrow(TypeError);
  });
});

describe('parseConfigText: schema rules name the field', () => {
  it('requires feed or listing', () => {
    const err = errorOf('sources:\n  - id: tehrantimes\n    name: Tehran Times\n');
    expect(err.issues).toEqual(['sources[0]: needs either `feed` (a feed URL) or `listing` (a section page URL)']);
  });

  it('refuses both feed and listing', () => {
    const err = errorOf(`sources:${hispantv}\n    listing: https://www.hispantv.com/\n    articlePattern: '^https://www\\.hispantv\\.com/noticias/'\n`);
    expect(err.issues).toEqual(['sources[0]: has both `feed` and `listing`; keep one']);
  });

  it('needs articlePattern on a listing source', () => {
    const err = errorOf('sources:\n  - id: plenglish\n    name: Prensa Latina\n    listing: https://www.plenglish.com/\n');
    expect(err.issues).toEqual(['sources[0].articlePattern: a `listing` source needs `articlePattern`, a regular expression matching its article URLs']);
  });

  it('refuses a bad regular expression', () => {
    const err = errorOf("sources:\n  - id: plenglish\n    name: Prensa Latina\n    listing: https://www.plenglish.com/\n    articlePattern: '^https://www\\.plenglish\\.com/news/(\\d{4}'\n");
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatch(/^sources\[0\]\.articlePattern: ".*" is not a valid regular expression \(.+\)$/);
  });

  it('refuses URLs that are not absolute http(s)', () => {
    const err = errorOf('sources:\n  - {id: a, name: A, feed: "ftp://example.org/rss"}\n  - {id: b, name: B, feed: "/rss.xml"}\n');
    expect(err.issues).toEqual(['sources[0].feed: must be an absolute http(s) URL', 'sources[1].feed: must be an absolute http(s) URL']);
  });

  it('refuses duplicate source and webhook ids, pointing at both', () => {
    const err = errorOf(
      `sources:${hispantv}${hispantv}\nalerts:\n  webhooks:\n` +
        `    - {id: newsroom, url: "https://a.example.org/", secret: "${SECRET}"}\n` +
        `    - {id: newsroom, url: "https://b.example.org/", secret: "${SECRET}"}\n`,
    );
    expect(err.issues).toEqual([
      'sources[1].id: duplicate id "hispantv" (also at sources[0])',
      'alerts.webhooks[1].id: duplicate id "newsroom" (also at alerts.webhooks[0])',
    ]);
  });

  it('reports duplicate ids alongside other problems in the same list', () => {
    const err = errorOf('sources:\n  - {id: irna-en, feed: "https://en.irna.ir/rss"}\n  - {id: irna-en, name: IRNA, feed: "https://en.irna.ir/rss"}\n  - 42\n');
    expect(err.issues).toEqual([
      'sources[0].name: is required',
      'sources[2]: must be a mapping, got number 42',
      'sources[1].id: duplicate id "irna-en" (also at sources[0])',
    ]);
  });

  it('explains a bad cron expression with the exact expected wording', () => {
    const sources = ['a', 'b', 'c'].map((id) => `  - {id: ${id}, name: ${id}, feed: "https://${id}.example.org/rss"}\n`).join('');
    const err = errorOf(`sources:\n${sources}  - {id: d, name: d, feed: "https://d.example.org/rss", schedule: "*/61 * * * *"}\n`);
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toBe('sources[3].schedule: "*/61 * * * *" is not a valid cron expression (step 61 is larger than the minute range 0-59)');
    expect(err.message.split('\n')).toContain(err.issues[0]);
  });

  it('accepts 6-field cron and refuses 7 fields', () => {
    const config = parse('sources:\n  - {id: a, name: A, feed: "https://a.example.org/rss", schedule: "30 2-59/10 * * * *"}\n');
    expect(config.sources[0]?.schedule).toBe('30 2-59/10 * * * *');
    const err = errorOf('sources:\n  - {id: a, name: A, feed: "https://a.example.org/rss", schedule: "0 0 0 * * * *"}\n');
    expect(err.issues).toEqual(['sources[0].schedule: "0 0 0 * * * *" is not a valid cron expression (expected 5 or 6 fields, got 7)']);
  });

  it('refuses a webhook secret that is not whsec_ + base64, without echoing it', () => {
    const err = errorOf('alerts:\n  webhooks:\n    - {id: newsroom, url: "https://hooks.example.org/", secret: "hunter2-plaintext"}\n');
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatch(/^alerts\.webhooks\[0\]\.secret: must be a Standard Webhooks secret/);
    expect(err.message).not.toContain('hunter2');
  });

  it('says when a required key is missing or has the wrong type', () => {
    const err = errorOf('sources:\n  - id: a\n    feed: https://a.example.org/rss\nfetch:\n  maxBodyBytes: five megabytes\n');
    expect(err.issues).toEqual(['sources[0].name: is required', 'fetch.maxBodyBytes: must be a number, got the string "five megabytes"']);
  });

  it('lists every problem on its own line and carries the code', () => {
    const err = errorOf('sources:\n  - {id: a, name: A}\nlog:\n  level: loud\n');
    expect(err.code).toBe('DW_ERR_CONFIG');
    expect(err.issues).toHaveLength(2);
    expect(err.message.split('\n')).toEqual(['config: test.yaml is invalid', ...err.issues]);
  });
});

describe('parseConfigText: unknown keys', () => {
  it('suggests the closest known key', () => {
    const err = errorOf('sources:\n  - {id: a, name: A, feeds: "https://a.example.org/rss"}\n');
    expect(err.issues).toContain('sources[0].feeds: unknown key (did you mean "feed"?)');
  });

  it('suggests for several typos in a realistic file', async () => {
    const err = await loadErrorOf(path.join(fixtures, 'typo-keys.yaml'));
    expect(err.issues).toEqual(
      expect.arrayContaining([
        'sources[0].feeds: unknown key (did you mean "feed"?)',
        'sources[0].shedule: unknown key (did you mean "schedule"?)',
        'alerts.webhook: unknown key (did you mean "webhooks"?)',
      ]),
    );
  });

  it('lists the known keys when nothing is close', () => {
    const err = errorOf('redis:\n  cluster: true\n');
    expect(err.issues).toEqual(['redis.cluster: unknown key (known keys: url, prefix)']);
  });

  it('handles unknown keys at the top level', () => {
    const err = errorOf('source: []\n');
    expect(err.issues).toEqual(['source: unknown key (did you mean "sources"?)']);
  });
});

describe('parseConfigText: YAML syntax', () => {
  it('gives line and column of a syntax error', async () => {
    const err = await loadErrorOf(path.join(fixtures, 'broken-indent.yaml'));
    expect(err.issues[0]).toMatch(/^line 6, column \d+: /);
    expect(err.message).toContain('broken-indent.yaml');
  });

  it('reports duplicate keys with their line', () => {
    const err = errorOf('log:\n  level: info\nlog:\n  level: debug\n');
    expect(err.issues[0]).toMatch(/^line 3, column 1: Map keys must be unique/);
  });

  it('refuses a document that is not a mapping', () => {
    expect(errorOf('- just\n- a list\n').issues).toEqual(['(root): must be a mapping of keys to values, got a list']);
  });
});

describe('parseConfigText: ${VAR} interpolation', () => {
  const webhook = (secret: string) => `alerts:\n  webhooks:\n    - id: newsroom\n      url: https://hooks.example.org/x\n      secret: ${secret}\n`;

  it('substitutes a set variable', () => {
    const config = parse(webhook('${DIPLOWATCH_WEBHOOK_SECRET}'), { DIPLOWATCH_WEBHOOK_SECRET: SECRET });
    expect(config.alerts.webhooks[0]?.secret).toBe(SECRET);
  });

  it('names the field and the variable when it is missing', () => {
    const err = errorOf(webhook('${DIPLOWATCH_WEBHOOK_SECRET}'));
    expect(err.issues).toEqual(['alerts.webhooks[0].secret: environment variable DIPLOWATCH_WEBHOOK_SECRET is not set']);
  });

  it('uses the default when the variable is unset or empty, the value when set', () => {
    const text = 'fetch:\n  userAgent: "diplowatch (${CONTACT:-desk@example.org})"\n';
    expect(parse(text).fetch.userAgent).toBe('diplowatch (desk@example.org)');
    expect(parse(text, { CONTACT: '' }).fetch.userAgent).toBe('diplowatch (desk@example.org)');
    expect(parse(text, { CONTACT: 'latam@example.org' }).fetch.userAgent).toBe('diplowatch (latam@example.org)');
  });

  it('interpolates after YAML parsing, so # and : in a value are safe', () => {
    const config = parse('fetch:\n  userAgent: ${UA}\n', { UA: 'newsroom bot #2: see https://example.org' });
    expect(config.fetch.userAgent).toBe('newsroom bot #2: see https://example.org');
  });

  it('keeps $${ as a literal and reports malformed references', () => {
    expect(parse('fetch:\n  userAgent: "cost $${HOME}"\n').fetch.userAgent).toBe('cost ${HOME}');
    expect(errorOf('fetch:\n  userAgent: "${not a name}"\n').issues[0]).toMatch(/^fetch\.userAgent: bad reference "\$\{not a name\}"/);
  });

  it('loads a realistic file with secrets from the environment', async () => {
    const loaded = await loadConfig(path.join(fixtures, 'newsroom.yaml'), { DIPLOWATCH_WEBHOOK_SECRET: SECRET, LATAM_DESK_SECRET: OTHER_SECRET });
    expect(loaded.config.alerts.webhooks.map((w) => [w.id, w.url, w.secret])).toEqual([
      ['newsroom', 'https://hooks.example.org/diplowatch', SECRET],
      ['latam-desk', 'https://chat.example.org/hooks/latam', OTHER_SECRET],
    ]);
    expect(loaded.config.sources[1]?.schedule).toBe('30 */5 * * * *');
    const missing = await loadErrorOf(path.join(fixtures, 'newsroom.yaml'));
    expect(missing.issues).toEqual([
      'alerts.webhooks[0].secret: environment variable DIPLOWATCH_WEBHOOK_SECRET is not set',
      'alerts.webhooks[1].secret: environment variable LATAM_DESK_SECRET is not set',
    ]);
  });
});

describe('parseConfigText: environment overrides', () => {
  it('takes REDIS_URL, LOG_LEVEL and DIPLOWATCH_STATE_DIR over the file', () => {
    const text = 'redis:\n  url: redis://file-host:6379\nlog:\n  level: info\n';
    const config = parse(text, { REDIS_URL: 'redis://127.0.0.1:6379/2', LOG_LEVEL: 'debug', DIPLOWATCH_STATE_DIR: '/var/lib/diplowatch' });
    expect(config.redis.url).toBe('redis://127.0.0.1:6379/2');
    expect(config.log.level).toBe('debug');
    expect(config.state.dir).toBe('/var/lib/diplowatch');
  });

  it('leaves the file value when the variable is unset or empty', () => {
    const config = parse('redis:\n  url: redis://file-host:6379\n', { REDIS_URL: '' });
    expect(config.redis.url).toBe('redis://file-host:6379');
    expect(parse('').redis.url).toBeUndefined();
  });

  it('names the variable when its value is invalid', () => {
    const err = errorOf('', { LOG_LEVEL: 'verbose' });
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatch(/^log\.level: must be one of "fatal", .*; got "verbose" \(value from environment variable LOG_LEVEL\)$/);
  });
});

describe('loadConfig and paths', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'diplowatch-load-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the absolute path and folder, and resolves detect.topic against that folder', async () => {
    const file = path.join(dir, 'watch.yaml');
    await writeFile(file, 'detect:\n  topic: lexicons/iran-latam.yaml\n');
    const loaded = await loadConfig(path.relative(process.cwd(), file), {});
    expect(loaded.path).toBe(file);
    expect(loaded.dir).toBe(dir);
    expect(resolveFromConfig(loaded, loaded.config.detect.topic)).toBe(path.join(dir, 'lexicons', 'iran-latam.yaml'));
    expect(resolveFromConfig(loaded, '/etc/diplowatch/topic.yaml')).toBe('/etc/diplowatch/topic.yaml');
  });

  it('throws a ConfigError for a missing file', async () => {
    const err = await loadErrorOf(path.join(dir, 'absent.yaml'));
    expect(err.code).toBe('DW_ERR_CONFIG');
    expect(err.message).toMatch(/^config: cannot read .*absent\.yaml/);
    expect(err.issues[0]).toContain('ENOENT');
  });

  it('reads a file with a byte-order mark', async () => {
    const file = path.join(dir, 'bom.yaml');
    await writeFile(file, '\uFEFFlog:\n  level: warn\n');
    expect((await loadConfig(file, {})).config.log.level).toBe('warn');
  });

  it('picks the config path from --config, then DIPLOWATCH_CONFIG, then the default', () => {
    expect(configPathFrom('custom.yaml', { DIPLOWATCH_CONFIG: 'env.yaml' })).toBe('custom.yaml');
    expect(configPathFrom(undefined, { DIPLOWATCH_CONFIG: 'env.yaml' })).toBe('env.yaml');
    expect(configPathFrom(undefined, {})).toBe('config/diplowatch.yaml');
    expect(configPathFrom(['run', '--config', 'a.yaml'], {})).toBe('a.yaml');
    expect(configPathFrom(['scan', '--config=b.yaml'], { DIPLOWATCH_CONFIG: 'env.yaml' })).toBe('b.yaml');
    expect(configPathFrom(['scan'], { DIPLOWATCH_CONFIG: 'env.yaml' })).toBe('env.yaml');
  });
});
