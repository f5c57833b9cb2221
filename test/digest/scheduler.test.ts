import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/demo/receiver.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { createHttpClient, type HttpClient } from '../../src/http/client.js';
import { DIGEST_SETTLE_MS, DigestScheduler } from '../../src/jobs/digest.js';
import { createLogger } from '../../src/log.js';
import { createFileStore } from '../../src/store/file-store.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import type { Store } from '../../src/store/store.js';
import type { Story } from '../../src/stories/types.js';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { CARACAS, HAVANA, LA_PAZ } from './stories.js';

const quiet = createLogger({ level: 'silent', pretty: false });

interface DigestBody {
  type: string;
  since: string;
  until: string;
  stories: Array<{ id: string; title: string }>;
}

/** Opens a store; calling it again opens a new instance on the same state, as a restarted process would. */
interface StoreKind {
  kind: string;
  setup(): Promise<{ open(): Promise<Store>; cleanup(): Promise<void> }>;
}

const kinds: StoreKind[] = [
  {
    kind: 'file',
    setup: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'diplowatch-digest-'));
      return { open: () => createFileStore({ dir, retentionDays: 3650 }), cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    kind: 'redis',
    setup: async () => {
      const prefix = uniquePrefix('digest');
      return { open: () => createRedisStore({ url: TEST_REDIS_URL, prefix, retentionDays: 3650 }), cleanup: () => deletePrefix(prefix) };
    },
  },
];

async function saveStory(store: Store, story: Story): Promise<void> {
  await store.saveStory(story, { storyId: story.id, url: story.url, fingerprint: { contentHash: story.id, minhash: [1, 2, 3], bands: [`b0:${story.id}`] } });
}

describe.each(kinds)('DigestScheduler ($kind store)', ({ setup }) => {
  let secret: string;
  let receiver: WebhookReceiver;
  let http: HttpClient;
  let state: Awaited<ReturnType<StoreKind['setup']>>;
  let store: Store;
  let clock: number;
  let config: Config;
  const schedulers: DigestScheduler[] = [];

  const now = () => new Date(clock);

  function scheduler(): DigestScheduler {
    const digests = new DigestScheduler({ config: () => config, store, http, logger: quiet, now });
    digests.setWebhooks(config.alerts.webhooks);
    schedulers.push(digests);
    return digests;
  }

  /** A process restart: the scheduler and the store are closed and opened again on the same state. */
  async function restart(): Promise<DigestScheduler> {
    for (const digests of schedulers.splice(0)) await digests.stop();
    await store.close();
    store = await state.open();
    return scheduler();
  }

  function digests(): DigestBody[] {
    return receiver.received.map((alert) => JSON.parse(alert.body) as DigestBody);
  }

  beforeEach(async () => {
    secret = `whsec_${randomBytes(24).toString('base64')}`;
    clock = Date.parse('2023-06-12T00:00:00.000Z');
    // The receiver checks webhook-timestamp against the same pinned clock.
    receiver = await startWebhookReceiver(secret, { now: () => clock });
    config = configSchema.parse({
      alerts: {
        webhooks: [{ id: 'morning-brief', url: receiver.url, secret, digest: '0 8 * * *' }],
        // Long enough that no automatic retry fires during a test; runs are started by hand.
        retryBaseMs: 3_600_000,
      },
    });
    http = createHttpClient(config.fetch);
    state = await setup();
    store = await state.open();
  });

  afterEach(async () => {
    for (const digests of schedulers.splice(0)) await digests.stop();
    await store.close();
    await http.close();
    await receiver.close();
    await state.cleanup();
  });

  it('sends one signed digest with the stories created since it started, oldest first, then nothing', async () => {
    const digest = scheduler();
    clock = Date.parse('2023-06-12T06:00:00.000Z');
    await saveStory(store, HAVANA);
    await saveStory(store, CARACAS);
    clock = Date.parse('2023-06-16T08:00:00.000Z');

    const run = await digest.runNow('morning-brief');
    expect(run.outcome).toBe('sent');
    expect(receiver.received).toHaveLength(1);
    const [alert] = receiver.received;
    expect(alert?.signatureValid).toBe(true);
    expect(alert?.id).toBe(run.delivered[0]);
    const body = digests()[0];
    expect(body?.type).toBe('stories.digest');
    expect(body?.stories.map((story) => story.id)).toEqual([CARACAS.id, HAVANA.id]);
    expect(body?.since).toBe('2023-06-12T00:00:00.000Z');
    expect(body?.until).toBe(new Date(clock - DIGEST_SETTLE_MS).toISOString());

    clock = Date.parse('2023-06-17T08:00:00.000Z');
    expect((await digest.runNow('morning-brief')).outcome).toBe('empty');
    expect(receiver.received).toHaveLength(1);
  });

  it('sends nothing when no story was created', async () => {
    const digest = scheduler();
    clock = Date.parse('2023-06-13T08:00:00.000Z');
    expect(await digest.runNow('morning-brief')).toEqual({ outcome: 'empty', delivered: [] });
    expect(receiver.received).toHaveLength(0);
  });

  it('keeps the cursor after a failed POST and re-sends the same bytes under the same webhook-id', async () => {
    const digest = scheduler();
    await saveStory(store, CARACAS);
    await saveStory(store, HAVANA);
    clock = Date.parse('2023-06-16T08:00:00.000Z');
    receiver.failNext([500]);

    const failed = await digest.runNow('morning-brief');
    expect(failed.outcome).toBe('failed');
    expect(failed.error).toContain('HTTP 500');
    expect(receiver.received).toHaveLength(0);
    const cursor = await store.getDigestCursor('morning-brief');
    expect(cursor?.since).toBe('2023-06-12T00:00:00.000Z');
    expect(cursor?.pending?.id).toBe(failed.pending?.id);
    expect(cursor?.pending?.storyIds).toEqual([CARACAS.id, HAVANA.id]);

    // A story found meanwhile is not slipped into the pending digest; it goes in a digest of its own.
    clock = Date.parse('2023-07-20T12:45:00.000Z');
    await saveStory(store, LA_PAZ);
    clock = Date.parse('2023-07-21T08:00:00.000Z');
    const retried = await digest.runNow('morning-brief');
    expect(retried.outcome).toBe('sent');
    expect(retried.delivered).toHaveLength(2);
    expect(receiver.received.map((alert) => alert.id)).toEqual([failed.pending?.id, retried.delivered[1]]);
    expect(receiver.received.every((alert) => alert.signatureValid)).toBe(true);
    expect(digests().map((body) => body.stories.map((story) => story.id))).toEqual([[CARACAS.id, HAVANA.id], [LA_PAZ.id]]);
    // The second window starts where the first ended: nothing in between is lost.
    expect(digests()[1]?.since).toBe(digests()[0]?.until);
    expect((await store.getDigestCursor('morning-brief'))?.pending).toBeUndefined();
  });

  it('after a restart repeats nothing that was delivered, and re-sends what was pending under its id', async () => {
    scheduler();
    await saveStory(store, CARACAS);
    clock = Date.parse('2023-06-13T08:00:00.000Z');
    const first = await schedulers[0]?.runNow('morning-brief');
    expect(first?.outcome).toBe('sent');

    let digest = await restart();
    clock = Date.parse('2023-06-14T08:00:00.000Z');
    expect((await digest.runNow('morning-brief')).outcome).toBe('empty');
    expect(receiver.received).toHaveLength(1);

    await saveStory(store, HAVANA);
    clock = Date.parse('2023-06-16T08:00:00.000Z');
    receiver.failNext([503]);
    const failed = await digest.runNow('morning-brief');
    expect(failed.outcome).toBe('failed');

    digest = await restart();
    const resent = await digest.runNow('morning-brief');
    expect(resent.delivered).toEqual([failed.pending?.id]);
    expect(receiver.received.map((alert) => alert.id)).toEqual([first?.delivered[0], failed.pending?.id]);
    expect(digests().map((body) => body.stories.map((story) => story.id))).toEqual([[CARACAS.id], [HAVANA.id]]);
  });

  it('leaves a story created in the last minutes for the next digest', async () => {
    const digest = scheduler();
    clock = Date.parse('2023-06-13T08:00:00.000Z') - 60_000;
    await saveStory(store, { ...CARACAS, createdAt: new Date(clock).toISOString(), updatedAt: new Date(clock).toISOString() });
    clock = Date.parse('2023-06-13T08:00:00.000Z');
    expect((await digest.runNow('morning-brief')).outcome).toBe('empty');
    clock = Date.parse('2023-06-14T08:00:00.000Z');
    expect((await digest.runNow('morning-brief')).outcome).toBe('sent');
    expect(digests().map((body) => body.stories.map((story) => story.id))).toEqual([[CARACAS.id]]);
  });

  it('renders the digest in the webhook format and does not run for webhooks without a digest', async () => {
    config = configSchema.parse({
      alerts: {
        webhooks: [
          { id: 'slack-brief', url: receiver.url, secret, format: 'slack', digest: '0 8 * * *' },
          { id: 'instant', url: receiver.url, secret },
        ],
        retryBaseMs: 3_600_000,
      },
    });
    const digest = scheduler();
    expect(digest.webhookIds()).toEqual(['slack-brief']);
    await saveStory(store, CARACAS);
    clock = Date.parse('2023-06-13T08:00:00.000Z');
    expect((await digest.runNow('slack-brief')).outcome).toBe('sent');
    const body = JSON.parse(receiver.received[0]?.body ?? '{}') as { text: string; blocks: Array<{ type: string }> };
    expect(body.text).toBe('1 new story: Iran and Latin America');
    expect(body.blocks.map((block) => block.type)).toEqual(['header', 'section', 'context']);
    expect(receiver.received[0]?.signatureValid).toBe(true);
    await expect(digest.runNow('instant')).rejects.toThrow('digest: no enabled webhook "instant" with a digest schedule');
  });

  it('lets one of two schedulers on the same store run a webhook at a time', async () => {
    const a = scheduler();
    const b = scheduler();
    await saveStory(store, CARACAS);
    clock = Date.parse('2023-06-13T08:00:00.000Z');
    const runs = await Promise.all([a.runNow('morning-brief'), b.runNow('morning-brief')]);
    expect(runs.map((run) => run.outcome).sort()).toEqual(['busy', 'sent']);
    expect(receiver.received).toHaveLength(1);
  });
});
