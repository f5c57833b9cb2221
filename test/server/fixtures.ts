import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { request } from 'undici';
import { configSchema, type Config } from '../../src/config/schema.js';
import { createLogger, type Logger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/server.js';
import { createFileStore } from '../../src/store/file-store.js';
import type { Store } from '../../src/store/store.js';
import { fingerprint } from '../../src/stories/fingerprint.js';
import type { Story, StoryArticle } from '../../src/stories/types.js';

/**
 * Stories written for these tests, in our own words, about real dated events: Raisi's June 2023 tour of
 * Venezuela, Nicaragua and Cuba, the Iran–Venezuela 20-year plan of June 2022, the Iran–Bolivia defence
 * memorandum of July 2023, and an Araghchi call with Caracas. One title is hostile markup, for escaping.
 */
interface StorySeed {
  id: string;
  title: string;
  createdAt: string;
  states: string[];
  actors: string[];
  reasons: string[];
  articles: Array<{ outlet: string; title: string; url: string; joinReason: string }>;
  eventType?: Story['signature']['eventType'];
  place?: string;
}

const SEEDS: StorySeed[] = [
  {
    id: 'raisi-caracas',
    title: 'Raisi lands in Caracas as first stop of a Latin American tour',
    createdAt: '2023-06-12T15:40:00.000Z',
    states: ['Venezuela'],
    actors: ['Ebrahim Raisi'],
    eventType: 'visit',
    place: 'Caracas',
    reasons: [
      'Iranian President Ebrahim Raisí was received at Miraflores on Monday by Nicolás Maduro, who called Venezuela and Iran "brother nations".',
      'The two governments said they would sign about 25 documents on energy, mining and health during the visit.',
    ],
    articles: [
      { outlet: 'Caribbean Ledger', title: 'Raisi lands in Caracas as first stop of a Latin American tour', url: 'https://caribbean-ledger.example/world/2023/06/12/raisi-caracas', joinReason: 'first report' },
      { outlet: 'Andes Wire', title: 'Maduro welcomes Iranian president at Miraflores', url: 'https://andeswire.example/news/maduro-raisi-miraflores', joinReason: 'same event: visit by Ebrahim Raisi to Venezuela (Caracas)' },
      { outlet: 'Diario del Orinoco', title: 'Raisí llega a Caracas y firma acuerdos con Maduro', url: 'https://orinoco.example/politica/raisi-llega-a-caracas', joinReason: 'text similarity 0.82 with https://andeswire.example/news/maduro-raisi-miraflores' },
    ],
  },
  {
    id: 'raisi-managua',
    title: 'Ortega hosts the Iranian president in Managua',
    createdAt: '2023-06-13T21:05:00.000Z',
    states: ['Nicaragua'],
    actors: ['Ebrahim Raisi'],
    eventType: 'visit',
    place: 'Managua',
    reasons: ['Daniel Ortega greeted Raisi in Managua, where both leaders spoke against sanctions imposed on Nicaragua and Iran.'],
    articles: [{ outlet: 'Andes Wire', title: 'Ortega hosts the Iranian president in Managua', url: 'https://andeswire.example/news/ortega-raisi-managua', joinReason: 'first report' }],
  },
  {
    id: 'raisi-havana',
    title: 'Raisi ends his regional tour in Havana',
    createdAt: '2023-06-15T18:30:00.000Z',
    states: ['Cuba'],
    actors: ['Ebrahim Raisi'],
    eventType: 'visit',
    place: 'Havana',
    reasons: ['In Havana, Raisi and Miguel Díaz-Canel signed cooperation papers on communications, justice and customs; Cuba was the last stop.'],
    articles: [
      { outlet: 'Gulf & Caribbean Review', title: 'Raisi ends his regional tour in Havana', url: 'https://gcreview.example/2023/06/15/raisi-havana', joinReason: 'first report' },
      { outlet: 'Caribbean Ledger', title: 'Díaz-Canel and Raisi sign accords in Havana', url: 'https://caribbean-ledger.example/world/2023/06/15/havana-accords', joinReason: 'same event: visit by Ebrahim Raisi to Cuba (Havana)' },
    ],
  },
  {
    id: 'venezuela-plan-2022',
    title: 'Maduro and Raisi sign a 20-year cooperation plan in Tehran',
    createdAt: '2022-06-11T10:15:00.000Z',
    states: ['Venezuela'],
    actors: ['Ebrahim Raisi'],
    eventType: 'agreement',
    place: 'Tehran',
    reasons: ['Venezuela\'s president Nicolás Maduro and Ebrahim Raisi signed a twenty-year plan covering oil, petrochemicals, defence and agriculture in Tehran.'],
    articles: [{ outlet: 'Persian Gulf Monitor', title: 'Maduro and Raisi sign a 20-year cooperation plan in Tehran', url: 'https://pgmonitor.example/diplomacy/maduro-tehran-20-year-plan', joinReason: 'first report' }],
  },
  {
    id: 'bolivia-defence-2023',
    title: 'Bolivia and Iran sign a defence memorandum',
    createdAt: '2023-07-20T16:00:00.000Z',
    states: ['Bolivia'],
    actors: ['Mohammad-Reza Ashtiani'],
    eventType: 'agreement',
    place: 'Tehran',
    reasons: ['Bolivian defence minister Edmundo Novillo and his Iranian counterpart Mohammad-Reza Ashtiani signed a memorandum on security and defence cooperation.'],
    articles: [{ outlet: 'Altiplano Post', title: 'Bolivia and Iran sign a defence memorandum', url: 'https://altiplano.example/politica/bolivia-iran-memorandum', joinReason: 'first report' }],
  },
  {
    id: 'araghchi-gil-call',
    title: 'Araghchi and Yván Gil discuss ties by phone',
    createdAt: '2024-10-02T09:20:00.000Z',
    states: ['Venezuela'],
    actors: ['Abbas Araghchi'],
    eventType: 'call',
    reasons: ['Iran\'s foreign minister Abbas Araqchí spoke by phone with Venezuelan counterpart Yván Gil about the regional situation.'],
    articles: [{ outlet: 'Persian Gulf Monitor', title: 'Araghchi and Yván Gil discuss ties by phone', url: 'https://pgmonitor.example/diplomacy/araghchi-gil-call', joinReason: 'first report' }],
  },
  {
    // Same createdAt as the call above, so a page boundary between them tests the id tie-break.
    id: 'hostile-title',
    title: 'Embassy note <script>alert("x")</script> & more',
    createdAt: '2024-10-02T09:20:00.000Z',
    states: ['Nicaragua'],
    actors: ['Ministry of Foreign Affairs of Iran'],
    eventType: 'embassy',
    reasons: ['The Iranian foreign ministry said its <b>embassy</b> in Managua would widen consular hours for Nicaragua.'],
    articles: [{ outlet: 'Odd <Outlet>', title: 'Embassy note <script>alert("x")</script> & more', url: 'https://odd.example/a?x=1&y=2', joinReason: 'first report' }],
  },
];

/** The fixture stories, as the store keeps them. */
export function fixtureStories(): Story[] {
  return SEEDS.map((seed) => {
    const articles: StoryArticle[] = seed.articles.map((article, index) => ({
      url: article.url,
      canonicalUrl: article.url,
      title: article.title,
      outlet: article.outlet,
      publishedAt: new Date(Date.parse(seed.createdAt) - 30 * 60_000 + index * 3_600_000).toISOString(),
      addedAt: new Date(Date.parse(seed.createdAt) + index * 3_600_000).toISOString(),
      joinReason: article.joinReason,
    }));
    const first = seed.articles[0]!;
    return {
      id: seed.id,
      title: seed.title,
      url: first.url,
      outlet: first.outlet,
      publishedAt: articles[0]!.publishedAt,
      score: 0.9,
      reasons: seed.reasons,
      signature: { iranActors: seed.actors, latamStates: seed.states, eventType: seed.eventType, place: seed.place },
      articles,
      createdAt: seed.createdAt,
      updatedAt: articles[articles.length - 1]!.addedAt,
    };
  });
}

/** Saves every fixture story, with a fingerprint per article as the article job would. */
export async function fillStore(store: Store): Promise<Story[]> {
  const stories = fixtureStories();
  for (const story of stories) {
    for (const article of story.articles) {
      await store.saveStory(story, { storyId: story.id, url: article.url, publishedAt: article.publishedAt, fingerprint: fingerprint(`${article.title}. ${story.reasons.join(' ')}`) });
    }
  }
  return stories;
}

/** A configuration with three sources and the server on a free port. */
export function testConfig(server: { token?: string; host?: string; port?: number } = {}): Config {
  return configSchema.parse({
    sources: [
      { id: 'ledger', name: 'Caribbean Ledger', feed: 'https://caribbean-ledger.example/feed.xml' },
      { id: 'andes', name: 'Andes Wire', listing: 'https://andeswire.example/news/', articlePattern: '/news/[a-z0-9-]+$' },
      { id: 'orinoco', name: 'Diario del Orinoco', feed: 'https://orinoco.example/rss' },
      { id: 'dormant', name: 'Dormant Gazette', sitemap: 'https://dormant.example/news-sitemap.xml', enabled: false },
    ],
    server: { ...server, port: server.port ?? 0 },
  });
}

/** Source health for the fixture config: one fine, one failing, one never polled. */
export async function fillHealth(store: Store): Promise<void> {
  await store.setSourceHealth('ledger', { lastAttemptAt: '2023-06-15T19:00:00.000Z', lastSuccessAt: '2023-06-15T19:00:00.000Z', consecutiveFailures: 0, lastItems: 40 });
  await store.setSourceHealth('andes', {
    lastAttemptAt: '2023-06-15T19:05:00.000Z',
    lastSuccessAt: '2023-06-14T08:00:00.000Z',
    lastError: 'fetch: HTTP 503 from https://andeswire.example/news/',
    consecutiveFailures: 4,
  });
}

/** A logger that keeps its JSON lines in `lines`. */
export function memoryLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

/** A running server over a fresh file store holding the fixtures; `cleanup` closes both and deletes the folder. */
export interface Harness {
  server: RunningServer;
  store: Store;
  metrics: Metrics;
  stories: Story[];
  logLines: string[];
  readiness: { ok: boolean; reason?: string };
  cleanup(): Promise<void>;
}

/** Starts the server over a file store with the fixture stories and health. */
export async function startHarness(options: { token?: string; host?: string; port?: number; store?: Store; extra?: Partial<ServerOptions> } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'diplowatch-server-'));
  const store = options.store ?? (await createFileStore({ dir, retentionDays: 30 }));
  const stories = await fillStore(store);
  await fillHealth(store);
  const config = testConfig({ token: options.token, host: options.host, port: options.port });
  const metrics = createMetrics();
  const { logger, lines } = memoryLogger();
  const readiness: { ok: boolean; reason?: string } = { ok: true };
  let server: RunningServer;
  try {
    server = await startServer({ config: () => config, store, metrics, ready: () => readiness, logger, ...options.extra });
  } catch (err) {
    await store.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    server,
    store,
    metrics,
    stories,
    logLines: lines,
    readiness,
    async cleanup() {
      await server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** GETs `path` from the harness's server over real HTTP. */
export async function get(harness: Harness, path: string, headers: Record<string, string> = {}) {
  const response = await request(`${harness.server.url}${path}`, { headers });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) as unknown };
}
