import { mkdir, mkdtemp, open, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { ConfigWatcher } from '../../src/config/watch.js';

const ORIGINAL = `# two outlets to start with
sources:
  - id: presstv
    name: Press TV
    feed: https://www.presstv.ir/rss.xml
  - id: hispantv
    name: HispanTV
    feed: https://www.hispantv.com/rss/noticias
`;

const EDITED = `${ORIGINAL}  - id: telesur-en
    name: teleSUR English
    feed: https://www.telesurenglish.net/rss/
fetch:
  maxBodyBytes: 1048576
`;

const BAD_CRON = ORIGINAL.replace('feed: https://www.presstv.ir/rss.xml', "feed: https://www.presstv.ir/rss.xml\n    schedule: '*/61 * * * *'");
const BAD_URL = ORIGINAL.replace('https://www.hispantv.com/rss/noticias', 'hispantv.com/rss');

/** Collects watcher callbacks and lets a test wait for them (the deadline only guards against a hang). */
function recorder() {
  const changes: Array<{ next: Config; lines: string[] }> = [];
  const invalid: Error[] = [];
  let wake: (() => void) | undefined;
  const handlers = {
    onChange(next: Config, lines: string[]) {
      changes.push({ next, lines });
      wake?.();
    },
    onInvalid(err: Error) {
      invalid.push(err);
      wake?.();
    },
  };
  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`watcher test: gave up waiting for ${what}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 250);
      });
    }
  }
  return { changes, invalid, handlers, until };
}

describe('ConfigWatcher', () => {
  let dir: string;
  let file: string;
  let initial: Config;
  let watcher: ConfigWatcher | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'diplowatch-watch-'));
    file = path.join(dir, 'diplowatch.yaml');
    await writeFile(file, ORIGINAL);
    initial = (await loadConfig(file, {})).config;
  });

  afterEach(async () => {
    watcher?.close();
    watcher = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('applies an edit and reports the diff lines', async () => {
    const events = recorder();
    watcher = new ConfigWatcher(file, initial, events.handlers, { env: {} });
    watcher.start();
    await writeFile(file, EDITED);
    await events.until(() => events.changes.length > 0, 'onChange');
    expect(events.changes).toHaveLength(1);
    expect(events.changes[0]?.lines).toEqual(['source added: teleSUR English', 'setting changed: fetch.maxBodyBytes']);
    expect(events.changes[0]?.next.sources.map((s) => s.id)).toEqual(['presstv', 'hispantv', 'telesur-en']);
    expect(watcher.config).toBe(events.changes[0]?.next);
    expect(events.invalid).toEqual([]);
  });

  it('notices a file replaced by rename, as editors and deploy tools do', async () => {
    const events = recorder();
    watcher = new ConfigWatcher(file, initial, events.handlers, { env: {} });
    watcher.start();
    const temp = path.join(dir, '.diplowatch.yaml.swp');
    await writeFile(temp, ORIGINAL.replace('name: HispanTV', 'name: HispanTV (Spanish)'));
    await rename(temp, file);
    await events.until(() => events.changes.length > 0, 'onChange after rename');
    expect(events.changes[0]?.lines).toEqual(['source changed: HispanTV (Spanish) (name)']);

    // The watch survives the rename: a later in-place edit is still seen.
    await writeFile(file, EDITED);
    await events.until(() => events.changes.length > 1, 'onChange after a second edit');
    expect(events.changes[1]?.lines).toContain('source added: teleSUR English');
  });

  it('notices a Kubernetes-style ConfigMap update (a ..data symlink swapped to a new folder)', async () => {
    const mount = path.join(dir, 'mount');
    await mkdir(path.join(mount, '..v1'), { recursive: true });
    await writeFile(path.join(mount, '..v1', 'diplowatch.yaml'), ORIGINAL);
    await symlink('..v1', path.join(mount, '..data'));
    await symlink(path.join('..data', 'diplowatch.yaml'), path.join(mount, 'diplowatch.yaml'));
    const mounted = path.join(mount, 'diplowatch.yaml');
    const events = recorder();
    watcher = new ConfigWatcher(mounted, (await loadConfig(mounted, {})).config, events.handlers, { env: {} });
    watcher.start();

    await mkdir(path.join(mount, '..v2'));
    await writeFile(path.join(mount, '..v2', 'diplowatch.yaml'), EDITED);
    await symlink('..v2', path.join(mount, '..data_tmp'));
    await rename(path.join(mount, '..data_tmp'), path.join(mount, '..data'));
    await events.until(() => events.changes.length > 0, 'onChange after the symlink swap');
    expect(events.changes[0]?.lines).toEqual(['source added: teleSUR English', 'setting changed: fetch.maxBodyBytes']);
  });

  it('reports an invalid edit once, keeps the last good config, and recovers', async () => {
    const events = recorder();
    watcher = new ConfigWatcher(file, initial, events.handlers, { env: {} });
    watcher.start();

    // Written in three chunks: several fs events for one save.
    const handle = await open(file, 'w');
    for (const part of [BAD_CRON.slice(0, 40), BAD_CRON.slice(40, 120), BAD_CRON.slice(120)]) await handle.write(part);
    await handle.close();
    await events.until(() => events.invalid.length > 0, 'onInvalid');
    expect(events.invalid).toHaveLength(1);
    expect(events.invalid[0]).toBeInstanceOf(ConfigError);
    expect(events.invalid[0]?.message).toContain('sources[0].schedule: "*/61 * * * *" is not a valid cron expression');
    expect(watcher.config).toBe(initial);

    // The same bad content again, by event and by SIGHUP-style reload: no second report.
    await writeFile(file, BAD_CRON);
    expect(await watcher.reload()).toBe('invalid');
    expect(await watcher.reload()).toBe('invalid');
    expect(events.invalid).toHaveLength(1);

    // A different mistake is reported.
    await writeFile(file, BAD_URL);
    expect(await watcher.reload()).toBe('invalid');
    expect(events.invalid).toHaveLength(2);
    expect(events.invalid[1]?.message).toContain('sources[1].feed: must be an absolute http(s) URL');
    expect(watcher.config).toBe(initial);

    // Fixing the file applies it.
    await writeFile(file, EDITED);
    await events.until(() => events.changes.length > 0, 'onChange after the fix');
    expect(events.changes).toHaveLength(1);
    expect(events.invalid).toHaveLength(2);
    expect(watcher.config.sources).toHaveLength(3);
  });

  it('reload() says applied, unchanged or invalid', async () => {
    const events = recorder();
    watcher = new ConfigWatcher(file, initial, events.handlers, { env: {} });

    expect(await watcher.reload()).toBe('unchanged');
    await writeFile(file, `# edited by the desk on Tuesday\n${ORIGINAL}`);
    expect(await watcher.reload()).toBe('unchanged');
    expect(events.changes).toEqual([]);

    await writeFile(file, EDITED);
    expect(await watcher.reload()).toBe('applied');
    expect(await watcher.reload()).toBe('unchanged');
    expect(events.changes).toHaveLength(1);

    await writeFile(file, 'sources: [\n');
    expect(await watcher.reload()).toBe('invalid');
    expect(events.invalid[0]?.message).toMatch(/line \d+, column \d+/);

    // Reverting to the applied content is not a change, and clears the remembered bad content.
    await writeFile(file, EDITED);
    expect(await watcher.reload()).toBe('unchanged');
    await writeFile(file, 'sources: [\n');
    expect(await watcher.reload()).toBe('invalid');
    expect(events.invalid).toHaveLength(2);
  });

  it('keeps the previous config when the owner cannot apply a change, and retries on the next reload', async () => {
    const events = recorder();
    let refuse = true;
    watcher = new ConfigWatcher(file, initial, {
      onChange: async (next, lines) => {
        if (refuse) throw new Error('detect: cannot read topic file topics/missing.yaml');
        events.handlers.onChange(next, lines);
      },
      onInvalid: events.handlers.onInvalid,
    }, { env: {} });
    await writeFile(file, EDITED);
    expect(await watcher.reload()).toBe('invalid');
    expect(events.invalid.map((e) => e.message)).toEqual(['detect: cannot read topic file topics/missing.yaml']);
    expect(watcher.config).toBe(initial);

    refuse = false;
    expect(await watcher.reload()).toBe('applied');
    expect(events.changes[0]?.lines).toEqual(['source added: teleSUR English', 'setting changed: fetch.maxBodyBytes']);
    expect(watcher.config.sources).toHaveLength(3);
  });

  it('treats a missing file as invalid, once, and keeps the config', async () => {
    const events = recorder();
    watcher = new ConfigWatcher(file, initial, events.handlers, { env: {} });
    await unlink(file);
    expect(await watcher.reload()).toBe('invalid');
    expect(await watcher.reload()).toBe('invalid');
    expect(events.invalid).toHaveLength(1);
    expect(events.invalid[0]?.message).toMatch(/^config: cannot read .*ENOENT/);
    expect(watcher.config).toBe(initial);
  });

  it('interpolates with the environment it was given', async () => {
    const events = recorder();
    const secret = `whsec_${Buffer.from('desk key').toString('base64')}`;
    watcher = new ConfigWatcher(file, initial, events.handlers, { env: { DIPLOWATCH_WEBHOOK_SECRET: secret } });
    await writeFile(file, `${ORIGINAL}alerts:\n  webhooks:\n    - {id: newsroom, url: "https://hooks.example.org/x", secret: "\${DIPLOWATCH_WEBHOOK_SECRET}"}\n`);
    expect(await watcher.reload()).toBe('applied');
    expect(events.changes[0]?.lines).toEqual(['webhook added: newsroom']);
    expect(watcher.config.alerts.webhooks[0]?.secret).toBe(secret);
  });
});
