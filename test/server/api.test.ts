import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/parsers/feed.js';
import { createMemoryQueue } from '../../src/queue/memory-queue.js';
import { get, startHarness, type Harness } from './fixtures.js';

interface StoryListing {
  stories: Array<{ id: string; title: string; countries: string[]; actors: string[]; outlets: string[]; createdAt: string; articleCount: number }>;
  next: string | null;
  window: { size: number; full: boolean };
}


async function ids(harness: Harness, query: string): Promise<string[]> {
  const response = await get(harness, `/api/stories?${query}`);
  expect(response.status).toBe(200);
  return (response.json() as StoryListing).stories.map((story) => story.id);
}

describe('server without a token', () => {
  let harness: Harness;
  const policy = { attempts: 1, baseDelayMs: 1_000, maxDelayMs: 1_000 };
  // Not started, so the two discover jobs stay waiting and the queue gauge has something to show.
  const queue = createMemoryQueue({ policies: { discover: policy, article: policy, alert: policy } });
  beforeAll(async () => {
    await queue.add({ name: 'discover', id: 'ledger@1', data: { sourceId: 'ledger', tick: '2023-06-15T19:00:00.000Z' } });
    await queue.add({ name: 'discover', id: 'andes@1', data: { sourceId: 'andes', tick: '2023-06-15T19:00:00.000Z' } });
    harness = await startHarness({ extra: { queue } });
  });
  afterAll(async () => {
    await harness.cleanup();
    await queue.close(0);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await get(harness, '/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await get(harness, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('answers 503 on /readyz while ready() says not ready, and 200 again after', async () => {
    harness.readiness.ok = false;
    harness.readiness.reason = 'workers not started';
    try {
      const response = await get(harness, '/readyz');
      expect(response.status).toBe(503);
      expect(response.json()).toEqual({ status: 'unavailable', reason: 'workers not started' });
    } finally {
      harness.readiness.ok = true;
      delete harness.readiness.reason;
    }
    expect((await get(harness, '/readyz')).status).toBe(200);
  });

  it('lists stories newest first, with ties broken by id', async () => {
    const listing = (await get(harness, '/api/stories')).json() as StoryListing;
    expect(listing.stories.map((story) => story.id)).toEqual([
      'araghchi-gil-call',
      'hostile-title',
      'bolivia-defence-2023',
      'raisi-havana',
      'raisi-managua',
      'raisi-caracas',
      'venezuela-plan-2022',
    ]);
    expect(listing.next).toBeNull();
    expect(listing.window).toEqual({ size: 1000, full: false });
    const caracas = listing.stories.find((story) => story.id === 'raisi-caracas');
    expect(caracas).toMatchObject({ countries: ['Venezuela'], actors: ['Ebrahim Raisi'], outlets: ['Caribbean Ledger', 'Andes Wire', 'Diario del Orinoco'], articleCount: 3 });
  });

  it('pages with an opaque cursor: pages cover every story once', async () => {
    const all = await ids(harness, 'limit=100');
    for (const limit of [1, 2, 3, 4]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await get(harness, `/api/stories?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        const listing = response.json() as StoryListing;
        expect(listing.stories.length).toBeLessThanOrEqual(limit);
        seen.push(...listing.stories.map((story) => story.id));
        cursor = listing.next;
        pages += 1;
      } while (cursor !== null && pages < 20);
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(seen.length);
      expect(pages).toBe(Math.ceil(all.length / limit));
    }
  });

  it('covers everything in exactly two pages of four, the boundary falling between equal timestamps', async () => {
    const first = (await get(harness, '/api/stories?limit=4')).json() as StoryListing;
    expect(first.next).toEqual(expect.any(String));
    const second = (await get(harness, `/api/stories?limit=4&cursor=${encodeURIComponent(first.next ?? '')}`)).json() as StoryListing;
    expect(second.next).toBeNull();
    const both = [...first.stories, ...second.stories].map((story) => story.id);
    expect(both).toHaveLength(7);
    expect(new Set(both).size).toBe(7);

    const tie = (await get(harness, '/api/stories?limit=1')).json() as StoryListing;
    const afterTie = (await get(harness, `/api/stories?limit=1&cursor=${encodeURIComponent(tie.next ?? '')}`)).json() as StoryListing;
    expect([tie.stories[0]?.id, afterTie.stories[0]?.id]).toEqual(['araghchi-gil-call', 'hostile-title']);
  });

  it('filters by since, country, actor and q, combined with paging', async () => {
    expect(await ids(harness, 'since=2023-06-13')).toEqual(['araghchi-gil-call', 'hostile-title', 'bolivia-defence-2023', 'raisi-havana', 'raisi-managua']);
    expect(await ids(harness, 'country=venezuela')).toEqual(['araghchi-gil-call', 'raisi-caracas', 'venezuela-plan-2022']);
    expect(await ids(harness, 'country=VENEZUELA&since=2023-01-01T00:00:00Z')).toEqual(['araghchi-gil-call', 'raisi-caracas']);
    expect(await ids(harness, 'country=Venezuel')).toEqual([]);
    expect(await ids(harness, 'actor=ARAGHCHÍ')).toEqual(['araghchi-gil-call']);
    expect(await ids(harness, 'actor=raisi')).toEqual(['raisi-havana', 'raisi-managua', 'raisi-caracas', 'venezuela-plan-2022']);
    expect(await ids(harness, 'actor=ashtiani&country=bolivia')).toEqual(['bolivia-defence-2023']);
    expect(await ids(harness, 'q=miraflores')).toEqual(['raisi-caracas']);
    expect(await ids(harness, 'q=DIAZ-CANEL')).toEqual(['raisi-havana']);
    expect(await ids(harness, 'q=havana')).toEqual(['raisi-havana']);

    const first = (await get(harness, '/api/stories?actor=raisi&limit=3')).json() as StoryListing;
    const second = (await get(harness, `/api/stories?actor=raisi&limit=3&cursor=${encodeURIComponent(first.next ?? '')}`)).json() as StoryListing;
    expect([...first.stories, ...second.stories].map((story) => story.id)).toEqual(['raisi-havana', 'raisi-managua', 'raisi-caracas', 'venezuela-plan-2022']);
    expect(second.next).toBeNull();
  });

  it('answers 400 with a JSON message for a bad query', async () => {
    for (const query of ['limit=0', 'limit=abc', 'limit=101', 'since=yesterday', 'cursor=not-a-cursor', 'country=a&country=b']) {
      const response = await get(harness, `/api/stories?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.json(), query).toMatchObject({ error: 'bad request', message: expect.any(String) });
    }
  });

  it('returns one story with its articles, reasons and join reasons; 404 JSON when missing', async () => {
    const response = await get(harness, '/api/stories/raisi-caracas');
    expect(response.status).toBe(200);
    const story = response.json() as { reasons: string[]; articles: Array<{ outlet: string; joinReason: string }>; signature: { place: string } };
    expect(story.reasons[0]).toContain('Miraflores');
    expect(story.signature.place).toBe('Caracas');
    expect(story.articles.map((article) => [article.outlet, article.joinReason])).toEqual([
      ['Caribbean Ledger', 'first report'],
      ['Andes Wire', 'same event: visit by Ebrahim Raisi to Venezuela (Caracas)'],
      ['Diario del Orinoco', 'text similarity 0.82 with https://andeswire.example/news/maduro-raisi-miraflores'],
    ]);

    const missing = await get(harness, '/api/stories/no-such-story');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/json/);
    expect(missing.json()).toEqual({ error: 'not found', message: 'no story with id no-such-story' });

    const unknownPath = await get(harness, '/api/nothing-here');
    expect(unknownPath.status).toBe(404);
    expect(unknownPath.json()).toMatchObject({ error: 'not found' });
  });

  it('reports each configured source with its health', async () => {
    const { sources } = (await get(harness, '/api/sources')).json() as {
      sources: Array<{ id: string; name: string; url: string; kind: string; enabled: boolean; schedule: string; status: string; health: { consecutiveFailures: number; lastError?: string } | null }>;
    };
    expect(sources.map((source) => [source.id, source.status])).toEqual([
      ['ledger', 'ok'],
      ['andes', 'failing'],
      ['orinoco', 'never polled'],
      ['dormant', 'disabled'],
    ]);
    expect(sources[0]).toMatchObject({ name: 'Caribbean Ledger', url: 'https://caribbean-ledger.example/feed.xml', kind: 'feed', enabled: true, schedule: '*/10 * * * *' });
    expect(sources[1]).toMatchObject({ kind: 'listing', health: { consecutiveFailures: 4, lastError: 'fetch: HTTP 503 from https://andeswire.example/news/' } });
    expect(sources[2]?.health).toBeNull();
    expect(sources[3]).toMatchObject({ kind: 'sitemap', url: 'https://dormant.example/news-sitemap.xml', enabled: false });
  });

  it('serves the page as escaped HTML with marked reasons and the sources panel', async () => {
    const response = await get(harness, '/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(response.text).not.toMatch(/<script/i);
    expect(response.text).toContain('Embassy note &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(response.text).toContain('Odd &lt;Outlet&gt;');
    expect(response.text).toContain('href="https://odd.example/a?x=1&amp;y=2"');
    expect(response.text).toContain('its &lt;b&gt;embassy&lt;/b&gt; in Managua would widen consular hours for <mark>Nicaragua</mark>.');
    expect(response.text).toContain('Iranian President <mark>Ebrahim Raisí</mark> was received');
    expect(response.text).toContain('<li class="source failing">');
    expect((await get(harness, '/?country=cuba')).text.match(/<article class="story"/g)).toHaveLength(1);
  });

  it('serves an Atom feed that parses, with markup in titles escaped', async () => {
    const response = await get(harness, '/feed.xml');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(response.text).not.toContain('<script>');
    expect(response.text).toContain('Embassy note &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    const feed = parseFeed(response.text, `${harness.server.url}/feed.xml`);
    expect(feed.format).toBe('atom');
    expect(feed.skipped).toEqual([]);
    expect(feed.items).toHaveLength(7);
    expect(feed.items[0]).toMatchObject({ url: 'https://pgmonitor.example/diplomacy/araghchi-gil-call', title: 'Araghchi and Yván Gil discuss ties by phone', guid: 'urn:diplowatch:story:araghchi-gil-call' });
    // The parser reads titles as HTML and drops tags, so the escaped markup comes back as text, then goes.
    expect(feed.items[1]).toMatchObject({ url: 'https://odd.example/a?x=1&y=2', title: 'Embassy note & more' });
    expect(feed.items.find((item) => item.guid === 'urn:diplowatch:story:raisi-caracas')?.summary).toContain('Reported by Caribbean Ledger, Andes Wire, Diario del Orinoco.');
  });

  it('serves a JSON Feed 1.1 that parses', async () => {
    const response = await get(harness, '/feed.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/feed+json; charset=utf-8');
    const feed = response.json() as { version: string; feed_url: string; items: Array<{ id: string; title: string; authors: Array<{ name: string }>; tags: string[] }> };
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.feed_url).toBe(`${harness.server.url}/feed.json`);
    expect(feed.items).toHaveLength(7);
    const caracas = feed.items.find((item) => item.id === 'urn:diplowatch:story:raisi-caracas');
    expect(caracas?.authors.map((author) => author.name)).toEqual(['Caribbean Ledger', 'Andes Wire', 'Diario del Orinoco']);
    expect(caracas?.tags).toEqual(['Venezuela', 'Ebrahim Raisi', 'visit']);
    const parsed = parseFeed(response.text, `${harness.server.url}/feed.json`);
    expect(parsed.format).toBe('json');
    expect(feed.items.find((item) => item.id === 'urn:diplowatch:story:hostile-title')?.title).toBe('Embassy note <script>alert("x")</script> & more');
    expect(parsed.items.map((item) => item.url)).toContain('https://odd.example/a?x=1&y=2');
  });

  it('exposes Prometheus metrics, including counters incremented by the handlers and scrape-time gauges', async () => {
    harness.metrics.fetch('ledger', 'ok', 2048);
    harness.metrics.fetch('ledger', 'not-modified');
    harness.metrics.fetch('andes', 'failed');
    harness.metrics.story('created');
    harness.metrics.alert('ops', 'sent');
    harness.metrics.jobDone('article', 'ok', 0.3);
    const response = await get(harness, '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'diplowatch_fetches_total',
      'diplowatch_fetch_bytes_total',
      'diplowatch_not_modified_total',
      'diplowatch_articles_extracted_total',
      'diplowatch_matches_total',
      'diplowatch_stories_total',
      'diplowatch_alerts_total',
      'diplowatch_job_duration_seconds',
      'diplowatch_queue_jobs',
      'diplowatch_source_last_success_seconds',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(response.text).toContain(`# TYPE ${name} `);
    }
    for (const sample of [
      'diplowatch_fetches_total{source="ledger",outcome="ok"} 1',
      'diplowatch_fetch_bytes_total{source="ledger"} 2048',
      'diplowatch_not_modified_total{source="ledger"} 1',
      'diplowatch_fetches_total{source="andes",outcome="failed"} 1',
      'diplowatch_stories_total{event="created"} 1',
      'diplowatch_alerts_total{webhook="ops",outcome="sent"} 1',
      'diplowatch_job_duration_seconds_bucket{le="0.5",job="article",outcome="ok"} 1',
      'diplowatch_queue_jobs{queue="discover",state="waiting"} 2',
      'diplowatch_queue_jobs{queue="alert",state="active"} 0',
    ]) {
      expect(response.text).toContain(sample);
    }
    // Health written by fillHealth: ledger and andes have succeeded once; orinoco never, so it has no sample.
    expect(response.text).toMatch(/diplowatch_source_last_success_seconds\{source="ledger"\} \d+/);
    expect(response.text).toMatch(/diplowatch_source_last_success_seconds\{source="andes"\} \d+/);
    expect(response.text).not.toContain('diplowatch_source_last_success_seconds{source="orinoco"}');
  });

  it('answers 503 on /readyz when the store stops answering', async () => {
    const other = await startHarness();
    try {
      await other.store.close();
      const response = await get(other, '/readyz');
      expect(response.status).toBe(503);
      expect(response.json()).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^store: /) });
    } finally {
      await other.cleanup();
    }
  });
});
