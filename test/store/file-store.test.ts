import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint as textFingerprint } from '../../src/stories/fingerprint.js';
import { createFileStore, type FileStore } from '../../src/store/file-store.js';
import { fingerprint, signature, sleep, story, storedArticle, tempDir } from './support.js';

const DAY = 86_400_000;
const CARACAS = story('amir-abdollahian-caracas-2023', {
  title: 'Amir-Abdollahian meets Maduro in Caracas ahead of presidential tour',
  at: '2023-02-05T12:00:00.000Z',
  states: ['Venezuela'],
});
const CARACAS_FP = fingerprint('d1d1', ['b0:4444', 'b1:5555']);

describe('FileStore', () => {
  const dirs: string[] = [];
  const stores: FileStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function newDir(): Promise<string> {
    const dir = await tempDir();
    dirs.push(dir);
    return dir;
  }

  async function open(dir: string, now?: () => number): Promise<FileStore> {
    const store = await createFileStore({ dir, retentionDays: 30, now });
    stores.push(store);
    return store;
  }

  async function closeAll(): Promise<void> {
    for (const store of stores.splice(0)) await store.close();
  }

  it('keeps everything across close and reopen, indexes included', async () => {
    const dir = await newDir();
    const first = await open(dir);
    await first.claimUrl('https://irna.example/es/news/85012345');
    await first.setValidators('https://irna.example/es/rss', { lastModified: 'Sun, 05 Feb 2023 12:10:00 GMT' });
    await first.saveStory(CARACAS, storedArticle(CARACAS.id, CARACAS.url, CARACAS_FP));
    await first.addFailedAlert({ alertId: 'msg_9', webhookId: 'desk', storyId: CARACAS.id, event: 'story.created', body: '{}', error: 'alert: 502', failedAt: '2023-02-06T00:00:00.000Z' });
    await first.setSourceHealth('irna-es', { consecutiveFailures: 0, lastItems: 30 });
    await first.disableWebhook('desk', { disabled: true, reason: 'webhook: HTTP 410 (https://desk.example/…)', disabledAt: '2023-02-06T00:00:00.000Z', urlHash: 'cd34' });
    await closeAll();

    expect((await readdir(dir)).sort()).toEqual(['failed-alerts.json', 'health.json', 'seen.json', 'stories.json', 'validators.json', 'webhooks.json']);
    const second = await open(dir);
    expect(await second.hasUrl('https://irna.example/es/news/85012345')).toBe(true);
    expect(await second.getValidators('https://irna.example/es/rss')).toEqual({ lastModified: 'Sun, 05 Feb 2023 12:10:00 GMT' });
    expect(await second.getStory(CARACAS.id)).toEqual(CARACAS);
    expect((await second.listFailedAlerts()).map((f) => f.alertId)).toEqual(['msg_9']);
    expect(await second.getSourceHealth('irna-es')).toEqual({ consecutiveFailures: 0, lastItems: 30 });
    expect((await second.getWebhookHealth('desk'))?.disabledAt).toBe('2023-02-06T00:00:00.000Z');
    const byBand = await second.findStoryCandidates(fingerprint('x', ['b1:5555']), signature([]), '2023-02-01T00:00:00.000Z');
    expect(byBand.map((c) => c.story.id)).toEqual([CARACAS.id]);
    const byState = await second.findStoryCandidates(fingerprint('x', []), signature(['Venezuela']), '2023-02-01T00:00:00.000Z');
    expect(byState[0]?.articles).toEqual([storedArticle(CARACAS.id, CARACAS.url, CARACAS_FP)]);
  });

  it('loads stories written before fingerprints were packed, and writes them back packed', async () => {
    const dir = await newDir();
    const real = textFingerprint(
      'Foreign Minister Amir-Abdollahian met President Maduro in Caracas on Sunday to prepare the Iranian president\'s visit and review ' +
        'the twenty-year cooperation plan the two countries signed in Tehran in June of last year.',
    );
    const legacy = { storyId: CARACAS.id, url: CARACAS.url, publishedAt: CARACAS.publishedAt, fingerprint: real };
    const entries = { [CARACAS.id]: { story: CARACAS, articles: [legacy], expiresAt: Date.now() + 10 * DAY } };
    await writeFile(join(dir, 'stories.json'), JSON.stringify({ version: 1, entries }));

    const store = await open(dir);
    const found = await store.findStoryCandidates(textFingerprint('unrelated words only here for the test of a lookup by band'), signature([]), '2023-02-01T00:00:00.000Z');
    expect(found).toEqual([]);
    const [candidate] = await store.findStoryCandidates({ ...real, contentHash: 'other' }, signature([]), '2023-02-01T00:00:00.000Z');
    expect(candidate?.articles).toEqual([legacy]);

    await store.setSourceHealth('irna-es', { consecutiveFailures: 0 });
    await store.saveStory(CARACAS, storedArticle(CARACAS.id, CARACAS.url, real, CARACAS.publishedAt));
    await store.flush();
    const written = JSON.parse(await readFile(join(dir, 'stories.json'), 'utf8')) as { entries: Record<string, { articles: Array<{ fingerprint: { minhash: unknown } }> }> };
    expect(typeof written.entries[CARACAS.id]?.articles[0]?.fingerprint.minhash).toBe('string');
    await closeAll();
    const reopened = await open(dir);
    const [again] = await reopened.findStoryCandidates(real, signature([]), '2023-02-01T00:00:00.000Z');
    expect(again?.articles).toEqual([legacy]);
  });

  it('writes changes on its own shortly after they happen', async () => {
    const dir = await newDir();
    const store = await open(dir);
    for (let i = 0; i < 50; i++) await store.claimUrl(`https://hispantv.example/noticias/${i}`);
    const deadline = Date.now() + 5_000;
    let entries: Record<string, number> = {};
    while (Object.keys(entries).length < 50 && Date.now() < deadline) {
      await sleep(20);
      const text = await readFile(join(dir, 'seen.json'), 'utf8').catch(() => '{"entries":{}}');
      entries = (JSON.parse(text) as { entries: Record<string, number> }).entries;
    }
    expect(Object.keys(entries)).toHaveLength(50);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('ignores a *.tmp left behind by a crash mid-write', async () => {
    const dir = await newDir();
    const first = await open(dir);
    await first.saveStory(CARACAS, storedArticle(CARACAS.id, CARACAS.url, CARACAS_FP));
    await closeAll();
    await writeFile(join(dir, 'stories.json.tmp'), '{"version":1,"entries":{"half-writ');
    const second = await open(dir);
    expect((await second.listStories()).map((s) => s.id)).toEqual([CARACAS.id]);
  });

  it('names a corrupt file and how to recover', async () => {
    const dir = await newDir();
    await writeFile(join(dir, 'stories.json'), '{"version":1,"entries":{"raisi-havana"');
    const opening = createFileStore({ dir, retentionDays: 30 });
    await expect(opening).rejects.toThrow(
      new RegExp(`^state: ${escape(join(dir, 'stories.json'))} is not valid JSON \\(.+\\); move it aside to start fresh, or restore it from a backup$`),
    );
    // The failed start released its lock: moving the file aside is enough to start.
    await rm(join(dir, 'stories.json'));
    const store = await open(dir);
    expect(await store.listStories()).toEqual([]);
  });

  it('refuses a folder another live process holds, and takes over a dead one', async () => {
    const dir = await newDir();
    await open(dir);
    await expect(createFileStore({ dir, retentionDays: 30 })).rejects.toThrow(`is in use by another diplowatch process (pid ${process.pid}`);
    await closeAll();

    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await writeFile(join(dir, 'lock'), `${sleeper.pid}\n`);
      await expect(createFileStore({ dir, retentionDays: 30 })).rejects.toThrow(`(pid ${sleeper.pid}, lock file ${join(dir, 'lock')})`);
    } finally {
      const exited = once(sleeper, 'exit');
      sleeper.kill();
      await exited;
    }
    // Its process is gone now: the lock is stale and taken over.
    const store = await open(dir);
    expect((await readFile(join(dir, 'lock'), 'utf8')).trim()).toBe(String(process.pid));
    await store.close();
    await expect(readFile(join(dir, 'lock'))).rejects.toThrow(/ENOENT/);
  });

  it('expires entries after retentionDays, in memory and at load', async () => {
    const dir = await newDir();
    let now = Date.parse('2023-02-05T12:00:00.000Z');
    const clock = () => now;
    const store = await open(dir, clock);
    await store.claimUrl('https://telesur.example/iran-venezuela-flights');
    await store.setValidators('https://telesur.example/rss', { etag: '"v1"' });
    await store.saveStory(CARACAS, storedArticle(CARACAS.id, CARACAS.url, CARACAS_FP));
    expect(await store.tryLease('discover:telesur', 60_000)).toBe(true);
    now += 59_000;
    expect(await store.tryLease('discover:telesur', 60_000)).toBe(false);
    now += 1_000;
    expect(await store.tryLease('discover:telesur', 60_000)).toBe(true);

    now += 29 * DAY;
    expect(await store.hasUrl('https://telesur.example/iran-venezuela-flights')).toBe(true);
    await store.setValidators('https://telesur.example/rss', { etag: '"v2"' });
    await closeAll();

    now += 2 * DAY;
    const reopened = await open(dir, clock);
    expect(await reopened.hasUrl('https://telesur.example/iran-venezuela-flights')).toBe(false);
    expect(await reopened.claimUrl('https://telesur.example/iran-venezuela-flights')).toBe(true);
    expect(await reopened.getStory(CARACAS.id)).toBeUndefined();
    expect(await reopened.listStories()).toEqual([]);
    expect(await reopened.findStoryCandidates(CARACAS_FP, signature(['Venezuela']), '2000-01-01T00:00:00.000Z')).toEqual([]);
    // Refreshed on day 29, so still valid on day 31.
    expect(await reopened.getValidators('https://telesur.example/rss')).toEqual({ etag: '"v2"' });

    now += 30 * DAY;
    expect(await reopened.getValidators('https://telesur.example/rss')).toBeUndefined();
    reopened.sweep();
    await reopened.flush();
    const validators = JSON.parse(await readFile(join(dir, 'validators.json'), 'utf8')) as { entries: Record<string, unknown> };
    expect(validators.entries).toEqual({});
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
