import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import { startWebhookReceiver, type ReceivedAlert, type WebhookReceiver } from '../../src/demo/receiver.js';
import { DEMO_PAGES_DIR } from '../../src/demo/site.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/processes.js';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/** The topic lexicon shipped with the project. */
const TOPIC_FILE = fileURLToPath(new URL('../../config/topics/iran-latam.yaml', import.meta.url));

/** One article of a fault-test outlet: a demo page served under `path`, optionally slowly. */
export interface FaultArticle {
  path: string;
  /** File under `demo/pages/`. */
  file: string;
  title: string;
  publishedAt: string;
  /** The response waits this long before it is sent. */
  delayMs?: number;
}

/** Demo pages about distinct stories, reused by the scenarios. */
export const PAGES = {
  caracas: { file: 'independent-ap-venezuela-iran.html', title: 'Iran and Venezuela sign agreements as Raisi visits Caracas', publishedAt: '2023-06-12T18:40:00Z' },
  bolivia: { file: 'telesur-es-bolivia-iran.html', title: 'Bolivia e Irán firman un memorando de defensa', publishedAt: '2023-07-20T14:05:00Z' },
  havana: { file: 'presstv-cuba-embassy.html', title: 'New Iranian ambassador presents credentials in Havana', publishedAt: '2023-09-04T09:00:00Z' },
  tour: { file: 'rferl-raisi-latam-tour.html', title: 'Raisi starts Latin America tour', publishedAt: '2023-06-11T06:00:00Z' },
  nuclear: { file: 'independent-iran-nuclear.html', title: 'Iran nuclear talks stall again', publishedAt: '2023-06-12T09:15:00Z' },
} as const;

/** A local outlet site for fault tests: RSS feeds at `/{outlet}/feed`, with request hooks and slow pages. */
export interface FaultSite {
  url: string;
  feedUrl(outletId: string): string;
  /** Requests received, by path, counted when they arrive (before any delay). */
  hits: Map<string, number>;
  /** Every request path in arrival order. */
  requests: string[];
  /** Called when a request arrives, before the page is served. */
  onRequest(listener: (path: string) => void): void;
  publish(outletId: string, article: FaultArticle): void;
  /** Changes how long an article's response waits. */
  setDelay(path: string, delayMs: number): void;
  close(): Promise<void>;
}

/** Starts a site with these outlets (id → articles). */
export async function startFaultSite(outlets: Record<string, FaultArticle[]>): Promise<FaultSite> {
  const live = new Map(Object.entries(outlets).map(([id, articles]) => [id, [...articles]]));
  const hits = new Map<string, number>();
  const requests: string[] = [];
  const listeners: Array<(path: string) => void> = [];
  let server: TestServer | undefined = undefined;
  server = await startServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    requests.push(path);
    for (const listener of listeners) listener(path);
    const base = server?.url ?? '';
    for (const [id, articles] of live) {
      if (path === `/${id}/feed`) {
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
        res.end(rss(id, articles, base));
        return;
      }
      const article = articles.find((candidate) => candidate.path === path);
      if (article) {
        if (article.delayMs) await new Promise((resolve) => setTimeout(resolve, article.delayMs));
        const html = await readFile(join(DEMO_PAGES_DIR, article.file), 'utf8');
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(html);
        return;
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  const running = server;
  return {
    url: running.url,
    feedUrl: (outletId) => `${running.url}/${outletId}/feed`,
    hits,
    requests,
    onRequest: (listener) => listeners.push(listener),
    publish(outletId, article) {
      const articles = live.get(outletId);
      if (!articles) throw new Error(`fault site: no outlet "${outletId}"`);
      articles.unshift(article);
    },
    setDelay(path, delayMs) {
      for (const articles of live.values()) for (const article of articles) if (article.path === path) article.delayMs = delayMs;
    },
    close: () => running.close(),
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function rss(id: string, articles: FaultArticle[], base: string): string {
  const items = articles
    .map((a) => `<item><title>${escapeXml(a.title)}</title><link>${base}${a.path}</link><guid isPermaLink="true">${base}${a.path}</guid><pubDate>${new Date(a.publishedAt).toUTCString()}</pubDate></item>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Outlet ${id}</title><link>${base}/</link><description>fault test outlet</description>\n${items}\n</channel></rss>\n`;
}

/** A fresh Standard Webhooks secret. */
export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** Options of a fault-test config. */
export interface FaultConfigOptions {
  site: FaultSite;
  outlets: string[];
  webhookUrl: string;
  secret: string;
  redisUrl: string;
  prefix: string;
  stateDir: string;
  /** Cron of every source; defaults to one that never fires in a test (only the start-up poll runs). */
  schedule?: string;
  /** `server.port`; the server is off when absent. */
  serverPort?: number;
  articleConcurrency?: number;
  shutdownGraceMs?: number;
  /** First delay before an alert is sent again (`alerts.retryBaseMs`). */
  alertRetryBaseMs?: number;
}

/** Never fires during a test: only the poll at start-up runs. */
export const NEVER = '0 0 1 1 *';

/** Writes a config for the fault site and returns its path. */
export async function writeFaultConfig(dir: string, options: FaultConfigOptions): Promise<string> {
  const sources = options.outlets
    .map((id) => `  - id: ${id}\n    name: Outlet ${id}\n    feed: ${options.site.feedUrl(id)}\n    schedule: "${options.schedule ?? NEVER}"\n    maxAgeDays: 100000`)
    .join('\n');
  const text = `sources:
${sources}
alerts:
  webhooks:
    - id: receiver
      url: ${options.webhookUrl}
      secret: ${options.secret}
${options.alertRetryBaseMs ? `  retryBaseMs: ${options.alertRetryBaseMs}\n` : ''}fetch:
  allowPrivateNetworks: true
  minDelayMs: 0
extract:
  workers: 1
queue:
  articleConcurrency: ${options.articleConcurrency ?? 4}
server:
  enabled: ${options.serverPort !== undefined}
  port: ${options.serverPort ?? 0}
detect:
  topic: ${TOPIC_FILE}
state:
  dir: ${options.stateDir}
redis:
  url: "${options.redisUrl}"
  prefix: ${options.prefix}
shutdownGraceMs: ${options.shutdownGraceMs ?? 10000}
`;
  const path = join(dir, `diplowatch-${randomBytes(3).toString('hex')}.yaml`);
  await writeFile(path, text);
  return path;
}

/** `story.created` alerts with a valid signature. */
export function created(received: ReceivedAlert[]): ReceivedAlert[] {
  return received.filter((alert) => alert.signatureValid && alert.payload?.type === 'story.created');
}

/** How many `story.created` alerts each story id got. */
export function createdPerStory(received: ReceivedAlert[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const alert of created(received)) {
    const id = alert.payload?.story.id ?? '?';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** `receiver.waitFor`, whose timeout error lists what did arrive (type, webhook-id, signature check). */
export async function waitForAlerts(receiver: WebhookReceiver, count: number, timeoutMs: number): Promise<ReceivedAlert[]> {
  try {
    return await receiver.waitFor(count, timeoutMs);
  } catch (err) {
    const seen = receiver.received.map((alert) => `${alert.payload?.type ?? '?'} ${alert.id} signature ${alert.signatureValid ? 'valid' : 'INVALID'} ts ${alert.timestamp}`);
    throw new Error(`${(err as Error).message}; received: ${seen.join(' | ') || 'nothing'}`);
  }
}

/** What each fault test gets: a fresh site, receiver, temp dir, key prefix and secret; processes it starts are killed after it. */
export interface FaultFixture {
  site: FaultSite;
  receiver: WebhookReceiver;
  dir: string;
  prefix: string;
  secret: string;
  /** Writes a config for this test's site and receiver (the test Redis, db 9, unless `redisUrl` says otherwise). */
  config(extra?: Partial<FaultConfigOptions>): Promise<string>;
  /** Starts the service as a child process; killed after the test if still running. */
  start(configPath: string, role?: 'all' | 'scheduler' | 'worker', env?: Record<string, string>): ServiceProcess;
}

/** Registers beforeEach/afterEach hooks that set up and tear down a FaultFixture; `outlets` is called per test. */
export function useFaultFixture(label: string, outlets: () => Record<string, FaultArticle[]>): FaultFixture {
  const processes: ServiceProcess[] = [];
  const fixture = {
    config(extra: Partial<FaultConfigOptions> = {}) {
      return writeFaultConfig(fixture.dir, {
        site: fixture.site,
        outlets: Object.keys(outlets()),
        webhookUrl: fixture.receiver.url,
        secret: fixture.secret,
        redisUrl: TEST_REDIS_URL,
        prefix: fixture.prefix,
        stateDir: join(fixture.dir, 'state'),
        ...extra,
      });
    },
    start(configPath: string, role: 'all' | 'scheduler' | 'worker' = 'all', env: Record<string, string> = {}) {
      const running = startServiceProcess({ configPath, role, env });
      processes.push(running);
      return running;
    },
  } as FaultFixture;
  beforeEach(async () => {
    fixture.secret = newSecret();
    fixture.prefix = uniquePrefix(label);
    fixture.dir = await mkdtemp(join(tmpdir(), 'dw-faults-'));
    fixture.receiver = await startWebhookReceiver(fixture.secret);
    fixture.site = await startFaultSite(outlets());
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((running) => running.dispose()));
    await fixture.receiver.close();
    await fixture.site.close();
    await deletePrefix(fixture.prefix);
    await rm(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}
