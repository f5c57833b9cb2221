import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertId } from '../../src/alerts/payload.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/demo/receiver.js';
import { createHttpClient, type HttpClient } from '../../src/http/client.js';
import { replayStory } from '../../src/replay.js';
import { createFileStore, type FileStore } from '../../src/store/file-store.js';
import { CARACAS } from '../digest/stories.js';
import { tempDir } from '../store/support.js';

let secret: string;
let receiver: WebhookReceiver;
let http: HttpClient;
let store: FileStore;
let dir: string;
let config: Config;

beforeEach(async () => {
  secret = `whsec_${randomBytes(24).toString('base64')}`;
  receiver = await startWebhookReceiver(secret);
  config = configSchema.parse({
    alerts: {
      webhooks: [
        { id: 'newsroom', url: receiver.url, secret },
        { id: 'team-chat', url: receiver.url, secret, format: 'discord' },
        { id: 'paused', url: receiver.url, secret, enabled: false },
      ],
    },
  });
  http = createHttpClient(config.fetch);
  dir = await tempDir();
  store = await createFileStore({ dir, retentionDays: 3650 });
  await store.saveStory(CARACAS, { storyId: CARACAS.id, url: CARACAS.url, fingerprint: { contentHash: 'c', minhash: [1], bands: ['b0:c'] } });
});

afterEach(async () => {
  await store.close();
  await http.close();
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

describe('replayStory', () => {
  it('re-sends story.created, signed, marked as a replay, under a new webhook-id each time', async () => {
    const first = await replayStory({ storyId: CARACAS.id, webhookId: 'newsroom', config, store, http });
    const second = await replayStory({ storyId: CARACAS.id, webhookId: 'newsroom', config, store, http });
    expect(first).toMatchObject({ ok: true, statusCode: 204, storyId: CARACAS.id, webhookId: 'newsroom' });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received.every((alert) => alert.signatureValid)).toBe(true);
    const original = alertId(CARACAS.id, 'story.created', 'newsroom', CARACAS.url);
    expect(receiver.received.map((alert) => alert.id)).toEqual([first.alertId, second.alertId]);
    expect(new Set([original, first.alertId, second.alertId]).size).toBe(3);
    expect(first.alertId).toMatch(/^msg_[0-9a-f]{24}$/);
    const payload = receiver.received[0]?.payload;
    expect(payload?.type).toBe('story.created');
    expect(payload?.replay).toBe(true);
    expect(payload?.story.id).toBe(CARACAS.id);
    expect(payload?.story.articles).toHaveLength(2);
  });

  it("uses the webhook's format", async () => {
    const result = await replayStory({ storyId: CARACAS.id, webhookId: 'team-chat', config, store, http });
    expect(result.ok).toBe(true);
    const body = JSON.parse(receiver.received[0]?.body ?? '{}') as { embeds: Array<{ title: string; footer: { text: string } }> };
    expect(body.embeds[0]?.title).toBe(CARACAS.title);
    expect(body.embeds[0]?.footer.text).toBe('diplowatch · New story (replay)');
    expect(receiver.received[0]?.signatureValid).toBe(true);
  });

  it('reports a failed POST without throwing', async () => {
    receiver.failNext([503]);
    const result = await replayStory({ storyId: CARACAS.id, webhookId: 'newsroom', config, store, http });
    expect(result.ok).toBe(false);
    expect(result.statusCode).toBe(503);
    expect(result.error).toContain('HTTP 503');
  });

  it('refuses an unknown story, an unknown webhook and a disabled one, sending nothing', async () => {
    await expect(replayStory({ storyId: 'st_nope', webhookId: 'newsroom', config, store, http })).rejects.toThrow('replay: no story "st_nope"');
    await expect(replayStory({ storyId: CARACAS.id, webhookId: 'nope', config, store, http })).rejects.toThrow('replay: no webhook "nope"');
    await expect(replayStory({ storyId: CARACAS.id, webhookId: 'paused', config, store, http })).rejects.toThrow('webhook "paused" is disabled');
    expect(receiver.received).toHaveLength(0);
  });
});
