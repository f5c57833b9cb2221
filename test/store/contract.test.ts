import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint as textFingerprint } from '../../src/stories/fingerprint.js';
import type { Store } from '../../src/store/store.js';
import { fingerprint, signature, sleep, story, storeFactories, storedArticle, type StoreUnderTest } from './support.js';

const CARACAS = story('raisi-caracas-2023', { title: 'Raisi lands in Caracas at the start of a Latin America tour', at: '2023-06-12T14:00:00.000Z', states: ['Venezuela'] });
const MANAGUA = story('raisi-managua-2023', { title: 'Ortega receives Iranian president in Managua', at: '2023-06-13T20:30:00.000Z', states: ['Nicaragua'] });
const HAVANA = story('raisi-havana-2023', { title: 'Iran and Cuba sign cooperation documents during Raisi visit', at: '2023-06-15T16:00:00.000Z', states: ['Cuba'] });
const CARACAS_FP = fingerprint('c0ffee01', ['b0:1a2b', 'b1:3c4d', 'b2:5e6f']);
const MANAGUA_FP = fingerprint('c0ffee02', ['b0:aaaa', 'b1:bbbb', 'b2:cccc']);
const HAVANA_FP = fingerprint('c0ffee03', ['b0:dddd', 'b1:eeee', 'b2:ffff']);

async function saveTour(store: Store): Promise<void> {
  await store.saveStory(CARACAS, storedArticle(CARACAS.id, CARACAS.url, CARACAS_FP, CARACAS.publishedAt));
  await store.saveStory(MANAGUA, storedArticle(MANAGUA.id, MANAGUA.url, MANAGUA_FP, MANAGUA.publishedAt));
  await store.saveStory(HAVANA, storedArticle(HAVANA.id, HAVANA.url, HAVANA_FP, HAVANA.publishedAt));
}

describe.each(storeFactories)('Store contract: $kind', ({ make }) => {
  let current: StoreUnderTest | undefined;
  const open = async () => {
    current = await make();
    return current.store;
  };
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });

  it('claims a URL key once, and again after it is released', async () => {
    const store = await open();
    const key = 'https://en.mehrnews.example/news/2023/06/12/raisi-maduro';
    expect(await store.hasUrl(key)).toBe(false);
    expect(await store.claimUrl(key)).toBe(true);
    expect(await store.claimUrl(key)).toBe(false);
    expect(await store.hasUrl(key)).toBe(true);
    await store.releaseUrl(key);
    expect(await store.hasUrl(key)).toBe(false);
    expect(await store.claimUrl(key)).toBe(true);
  });

  it('gives exactly one of 50 concurrent claims of one key', async () => {
    const store = await open();
    const results = await Promise.all(Array.from({ length: 50 }, () => store.claimUrl('https://prensa.example/cuba-iran-accords')));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('keeps fetch validators per URL and replaces them whole', async () => {
    const store = await open();
    const feed = 'https://www.telesur.example/rss/world.xml';
    expect(await store.getValidators(feed)).toBeUndefined();
    await store.setValidators(feed, { etag: 'W/"5f2-18c"', lastModified: 'Mon, 12 Jun 2023 14:05:00 GMT' });
    expect(await store.getValidators(feed)).toEqual({ etag: 'W/"5f2-18c"', lastModified: 'Mon, 12 Jun 2023 14:05:00 GMT' });
    await store.setValidators(feed, { etag: 'W/"600-1a0"' });
    expect(await store.getValidators(feed)).toEqual({ etag: 'W/"600-1a0"' });
    expect(await store.getValidators('https://www.telesur.example/rss/sport.xml')).toBeUndefined();
  });

  it('leases a name to one holder until it is released or lapses', async () => {
    const store = await open();
    expect(await store.tryLease('discover:irna-es', 60_000)).toBe(true);
    expect(await store.tryLease('discover:irna-es', 60_000)).toBe(false);
    expect(await store.tryLease('discover:hispantv', 60_000)).toBe(true);
    await store.releaseLease('discover:irna-es');
    expect(await store.tryLease('discover:irna-es', 60_000)).toBe(true);

    expect(await store.tryLease('discover:short', 40)).toBe(true);
    await sleep(120);
    expect(await store.tryLease('discover:short', 40)).toBe(true);
  });

  it('serializes story-lock sections', async () => {
    const store = await open();
    let inside = 0;
    let overlaps = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.withStoryLock(async () => {
          inside += 1;
          if (inside > 1) overlaps += 1;
          await sleep(3);
          inside -= 1;
          return i;
        }),
      ),
    );
    expect(overlaps).toBe(0);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('releases the story lock when the section throws', async () => {
    const store = await open();
    await expect(store.withStoryLock(async () => Promise.reject(new Error('stories: boom')))).rejects.toThrow('stories: boom');
    expect(await store.withStoryLock(async () => 'next')).toBe('next');
  });

  it('saves stories and lists them newest first, by since and limit', async () => {
    const store = await open();
    await saveTour(store);
    expect(await store.getStory(MANAGUA.id)).toEqual(MANAGUA);
    expect(await store.getStory('no-such-story')).toBeUndefined();
    expect((await store.listStories()).map((s) => s.id)).toEqual([HAVANA.id, MANAGUA.id, CARACAS.id]);
    expect((await store.listStories({ since: '2023-06-13T00:00:00.000Z' })).map((s) => s.id)).toEqual([HAVANA.id, MANAGUA.id]);
    expect((await store.listStories({ limit: 1 })).map((s) => s.id)).toEqual([HAVANA.id]);

    const updated = { ...CARACAS, title: 'Maduro and Raisi sign 25 agreements in Caracas', updatedAt: '2023-06-12T22:00:00.000Z' };
    await store.saveStory(updated, storedArticle(CARACAS.id, 'https://other.example/maduro-raisi-agreements', fingerprint('c0ffee04', ['b0:7777'])));
    expect((await store.getStory(CARACAS.id))?.title).toBe('Maduro and Raisi sign 25 agreements in Caracas');
    expect((await store.listStories()).map((s) => s.id)).toEqual([HAVANA.id, MANAGUA.id, CARACAS.id]);
  });

  it('finds candidates sharing a band, with all their stored articles', async () => {
    const store = await open();
    await saveTour(store);
    const second = storedArticle(CARACAS.id, 'https://wire.example/raisi-venezuela-visit', fingerprint('c0ffee05', ['b0:9999', 'b1:3c4d']));
    await store.saveStory(CARACAS, second);
    // Saving the same article again (a retried job) keeps one copy.
    await store.saveStory(CARACAS, second);

    const found = await store.findStoryCandidates(fingerprint('beef', ['b1:3c4d', 'b2:none']), signature([]), '2023-06-01T00:00:00.000Z');
    expect(found.map((c) => c.story.id)).toEqual([CARACAS.id]);
    expect(found[0]?.articles.map((a) => a.url).sort()).toEqual([CARACAS.url, 'https://wire.example/raisi-venezuela-visit']);
    expect(found[0]?.articles.find((a) => a.url === CARACAS.url)?.fingerprint).toEqual(CARACAS_FP);

    const byHash = await store.findStoryCandidates(fingerprint('c0ffee03', ['b9:unrelated']), signature([]), '2023-06-01T00:00:00.000Z');
    expect(byHash.map((c) => c.story.id)).toEqual([HAVANA.id]);
  });

  it('finds candidates by Latin American state within the window only', async () => {
    const store = await open();
    await saveTour(store);
    const unrelated = fingerprint('0000', ['b0:none']);
    const both = await store.findStoryCandidates(unrelated, signature(['Cuba', 'Nicaragua']), '2023-06-10T00:00:00.000Z');
    expect(both.map((c) => c.story.id).sort()).toEqual([HAVANA.id, MANAGUA.id].sort());
    // Managua was last updated on 13 June: outside a window starting on the 14th.
    const late = await store.findStoryCandidates(unrelated, signature(['Cuba', 'Nicaragua']), '2023-06-14T00:00:00.000Z');
    expect(late.map((c) => c.story.id)).toEqual([HAVANA.id]);
    // Band hits obey the window too.
    const oldBand = await store.findStoryCandidates(CARACAS_FP, signature([]), '2023-06-14T00:00:00.000Z');
    expect(oldBand).toEqual([]);
    expect(await store.findStoryCandidates(unrelated, signature(['Bolivia']), '2023-06-01T00:00:00.000Z')).toEqual([]);
  });

  it('keeps failed alerts until removed', async () => {
    const store = await open();
    const failed = {
      alertId: 'msg_2RZ1',
      webhookId: 'newsroom',
      storyId: HAVANA.id,
      event: 'story.created',
      body: '{"type":"story.created"}',
      error: 'alert: webhook answered 500 after 30 attempts',
      failedAt: '2023-06-16T08:00:00.000Z',
    };
    await store.addFailedAlert(failed);
    await store.addFailedAlert({ ...failed, alertId: 'msg_1AAA', failedAt: '2023-06-15T08:00:00.000Z' });
    expect((await store.listFailedAlerts()).map((f) => f.alertId)).toEqual(['msg_1AAA', 'msg_2RZ1']);
    await store.removeFailedAlert('msg_1AAA');
    expect(await store.listFailedAlerts()).toEqual([failed]);
  });

  it('keeps source health per source', async () => {
    const store = await open();
    expect(await store.getSourceHealth('presstv-es')).toBeUndefined();
    const health = { lastAttemptAt: '2023-07-19T10:00:00.000Z', lastError: 'fetch: 503 Service Unavailable', consecutiveFailures: 2 };
    await store.setSourceHealth('presstv-es', health);
    expect(await store.getSourceHealth('presstv-es')).toEqual(health);
    await store.setSourceHealth('presstv-es', { lastSuccessAt: '2023-07-19T10:10:00.000Z', consecutiveFailures: 0, lastItems: 24 });
    expect(await store.getSourceHealth('presstv-es')).toEqual({ lastSuccessAt: '2023-07-19T10:10:00.000Z', consecutiveFailures: 0, lastItems: 24 });
  });

  it('disables a webhook once, keeps why and when, and lifts it', async () => {
    const store = await open();
    expect(await store.getWebhookHealth('newsroom')).toBeUndefined();
    const health = { disabled: true as const, reason: 'webhook: HTTP 410 (https://hooks.example.org/…)', disabledAt: '2023-06-16T08:00:00.000Z', urlHash: 'ab12' };
    // Of two jobs seeing the same 410 at once, exactly one disables (and logs).
    const results = await Promise.all([store.disableWebhook('newsroom', health), store.disableWebhook('newsroom', { ...health, disabledAt: '2023-06-16T08:00:01.000Z' })]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.getWebhookHealth('newsroom'))?.reason).toBe(health.reason);
    expect(await store.getWebhookHealth('ops-slack')).toBeUndefined();
    expect(await store.enableWebhook('newsroom')).toBe(true);
    expect(await store.enableWebhook('newsroom')).toBe(false);
    expect(await store.getWebhookHealth('newsroom')).toBeUndefined();
  });

  it('answers ping', async () => {
    const store = await open();
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('gives back a real fingerprint exactly, and finds its story by band after a later-day update', async () => {
    const store = await open();
    const first = textFingerprint(
      'Iranian President Ebrahim Raisi arrived in Caracas on Monday, the first stop of a tour that also takes him to Managua and Havana, ' +
        'and was received by Nicolas Maduro at the Miraflores palace before the two governments signed cooperation documents on energy and trade.',
    );
    const second = textFingerprint('Maduro and Raisi announced a plan to raise bilateral trade to twenty billion dollars, officials in Caracas said on Tuesday evening.');
    await store.saveStory(CARACAS, storedArticle(CARACAS.id, CARACAS.url, first, CARACAS.publishedAt));
    // Eight days later another article joins the story; the window of the next lookup no longer covers the first day.
    const later = '2023-06-20T09:00:00.000Z';
    const updated = {
      ...CARACAS,
      updatedAt: later,
      articles: [...CARACAS.articles, { url: 'https://wire.example/trade-plan', canonicalUrl: 'https://wire.example/trade-plan', title: 'Trade plan', outlet: 'Wire', addedAt: later, joinReason: 'same event' }],
    };
    await store.saveStory(updated, storedArticle(CARACAS.id, 'https://wire.example/trade-plan', second, later));

    const found = await store.findStoryCandidates(first, signature([]), '2023-06-18T00:00:00.000Z');
    expect(found.map((c) => c.story.id)).toEqual([CARACAS.id]);
    const stored = found[0]?.articles.find((a) => a.url === CARACAS.url);
    expect(stored).toEqual({ storyId: CARACAS.id, url: CARACAS.url, publishedAt: CARACAS.publishedAt, fingerprint: first });
    expect(await store.findStoryCandidates(first, signature([]), '2023-06-21T00:00:00.000Z')).toEqual([]);
    // The state index follows the update too: found by state from its new day, no longer from its old one.
    expect((await store.findStoryCandidates(fingerprint('x', []), signature(['Venezuela']), '2023-06-18T00:00:00.000Z')).map((c) => c.story.id)).toEqual([CARACAS.id]);
    expect(await store.findStoryCandidates(fingerprint('x', []), signature(['Venezuela']), '2023-06-21T00:00:00.000Z')).toEqual([]);
  });
});
