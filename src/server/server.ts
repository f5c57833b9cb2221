import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue as BullQueue } from 'bullmq';
import { Gauge } from 'prom-client';
import { fastify, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Queue } from '../queue/queue.js';
import { disableFor } from '../store/records.js';
import type { Store } from '../store/store.js';
import { OPEN_PATHS, SESSION_COOKIE, authenticate, sessionValue } from './auth.js';
import { FEED_SIZE, renderAtom, renderJsonFeed, type FeedLinks } from './feeds.js';
import { renderPage } from './page.js';
import { QueryError, STORY_WINDOW, listSources, listStoryPage, parseStoryQuery, storyDetail, storySummary } from './stories.js';

/** What the server needs: the ports it reads, and how to tell whether the service is ready. */
export interface ServerOptions {
  /** The current configuration; read on every request, so a reload applies at once (the listen address excepted). */
  config: () => Config;
  store: Store;
  /** Its `counts()` feed `diplowatch_queue_jobs`. */
  queue?: Queue;
  metrics: Metrics;
  /** Whether the service can do its work (e.g. workers started); `/readyz` also pings the store. */
  ready: () => { ok: boolean; reason?: string };
  logger: Logger;
  /** BullMQ `Queue` objects to show at `/admin/queues` (redis mode). */
  bullBoard?: { queues: readonly unknown[] };
}

/** A listening server. */
export interface RunningServer {
  /** `http://HOST:PORT`, with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/** `/readyz` waits this long for the store before calling it unreachable, well inside probe timeouts. */
const STORE_PING_TIMEOUT_MS = 2_000;
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
/** Stories on the web page. */
const PAGE_SIZE = 50;

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // The page has no scripts; inline styles only. Links to outlets must not carry a ?token= in Referer.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/**
 * Starts the HTTP surface on `config.server.host`/`port`: health and readiness probes, Prometheus metrics, the
 * story API, Atom and JSON feeds, the web page and (in redis mode) bull-board. When `server.token` is set,
 * everything but `/healthz`, `/readyz` and `/metrics` needs it. The caller checks `server.enabled`.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config, store, queue, metrics } = options;
  const logger = options.logger.child({ component: 'server' });
  metrics.observe({
    queueCounts: queue ? () => queue.counts() : undefined,
    sourceHealth: { sourceIds: () => config().sources.map((source) => source.id), get: (id) => store.getSourceHealth(id) },
  });

  observeWebhooks(metrics, config, store);

  // Request logging is ours, not fastify's: its lines would carry the full URL, ?token= included.
  const app = fastify({ logger: false, forceCloseConnections: true, return503OnClosing: true });
  app.addHook('onRequest', async (request, reply) => {
    const token = config().server.token;
    if (token === undefined || OPEN_PATHS.has(pathOf(request))) return;
    const queryToken = (request.query as Record<string, unknown>).token;
    const via = authenticate(
      { authorization: request.headers.authorization, queryToken: typeof queryToken === 'string' ? queryToken : undefined, cookie: request.headers.cookie },
      token,
    );
    if (via === undefined) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="diplowatch"')
        .send({ error: 'unauthorized', message: 'this server needs its token: send "Authorization: Bearer <token>" or add ?token=<token>' });
    }
    // A browser that logged in with ?token= gets a cookie, so bull-board's assets and calls are authorized too.
    if (via === 'query') reply.header('set-cookie', `${SESSION_COOKIE}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict`);
    return undefined;
  });
  app.addHook('onResponse', async (request, reply) => {
    const line = { method: request.method, url: pathOf(request), status: reply.statusCode, durationMs: Math.round(reply.elapsedTime) };
    if (reply.statusCode >= 500) logger.warn(line, 'request failed');
    else logger.debug(line, 'request');
  });
  app.setErrorHandler(async (err: unknown, request, reply) => {
    if (err instanceof QueryError) return reply.code(400).send({ error: 'bad request', message: err.message });
    const status = typeof err === 'object' && err !== null && 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status < 500) return reply.code(status).send({ error: 'bad request', message: errorMessage(err) });
    logger.error({ url: pathOf(request), err }, 'request handler failed');
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler(async (request, reply) => reply.code(404).send({ error: 'not found', message: `nothing at ${pathOf(request)}` }));

  registerProbes(app, options);
  registerApi(app, config, store);
  await registerBullBoard(app, options.bullBoard?.queues ?? []);

  const { host, port } = config().server;
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    throw new Error(`server: cannot listen on ${host}:${port} (${errorMessage(err)}); change server.host or server.port`, { cause: err });
  }
  const address = app.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const open = config().server.token === undefined;
  logger.info({ url, auth: open ? 'none' : 'token' }, `serving on ${url}`);
  if (open && !LOOPBACK.test(address.address)) {
    logger.warn({ url }, 'serving on a non-loopback address without server.token: anyone who can reach it can read stories and use /admin/queues');
  }
  return { url, close: () => app.close() };
}

/** The path of a request, without its query string (which may hold the token). */
function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function registerProbes(app: FastifyInstance, options: ServerOptions): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const state = options.ready();
    if (!state.ok) return reply.code(503).send({ status: 'unavailable', reason: state.reason ?? 'not ready' });
    try {
      await withTimeout(options.store.ping(), STORE_PING_TIMEOUT_MS, 'store did not answer a ping');
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', reason: `store: ${errorMessage(err)}` });
    }
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => reply.header('content-type', options.metrics.contentType).send(await options.metrics.text()));
}

function registerApi(app: FastifyInstance, config: () => Config, store: Store): void {
  app.get('/api/stories', async (request) => {
    const page = await listStoryPage(store, parseStoryQuery(request.query as Record<string, unknown>));
    return { stories: page.stories.map(storySummary), next: page.next, window: { size: STORY_WINDOW, full: page.windowFull } };
  });
  app.get('/api/stories/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const story = await store.getStory(id);
    if (!story) return reply.code(404).send({ error: 'not found', message: `no story with id ${id}` });
    return storyDetail(story);
  });
  app.get('/api/sources', async () => ({ sources: await listSources(config().sources, store) }));
  app.get('/api/webhooks', async () => ({ webhooks: await listWebhooks(config(), store) }));

  app.get('/feed.xml', async (request, reply) => {
    const stories = await store.listStories({ limit: FEED_SIZE });
    return reply.header('content-type', 'application/atom+xml; charset=utf-8').send(renderAtom(stories, feedLinks(request, '/feed.xml')));
  });
  app.get('/feed.json', async (request, reply) => {
    const stories = await store.listStories({ limit: FEED_SIZE });
    return reply.header('content-type', 'application/feed+json; charset=utf-8').send(JSON.stringify(renderJsonFeed(stories, feedLinks(request, '/feed.json'))));
  });

  app.get('/', async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const query = parseStoryQuery(raw, { limit: PAGE_SIZE });
    const [page, sources] = await Promise.all([listStoryPage(store, query), listSources(config().sources, store)]);
    // Only a token that already passed the check is echoed into the page's own links.
    const token = config().server.token !== undefined && typeof raw.token === 'string' ? raw.token : undefined;
    return reply.headers(HTML_HEADERS).send(renderPage({ stories: page.stories, sources, query, token }));
  });
}

/** One webhook's delivery state, as `/api/webhooks` shows it; never its URL or secret. */
export interface WebhookStatus {
  id: string;
  /** `off`: `enabled: false` in the config; `disabled`: its endpoint answered 410 and it gets no alerts. */
  state: 'ok' | 'off' | 'disabled';
  disabledAt?: string;
  reason?: string;
  /** Alerts kept as failed for it (`diplowatch alerts failed`). */
  failedAlerts: number;
}

async function listWebhooks(current: Config, store: Store): Promise<WebhookStatus[]> {
  const failed = await store.listFailedAlerts();
  return Promise.all(
    current.alerts.webhooks.map(async (webhook): Promise<WebhookStatus> => {
      const disabled = disableFor(await store.getWebhookHealth(webhook.id), webhook.url);
      const failedAlerts = failed.filter((alert) => alert.webhookId === webhook.id).length;
      if (disabled) return { id: webhook.id, state: 'disabled', disabledAt: disabled.disabledAt, reason: disabled.reason, failedAlerts };
      return { id: webhook.id, state: webhook.enabled ? 'ok' : 'off', failedAlerts };
    }),
  );
}

const WEBHOOK_DISABLED_METRIC = 'diplowatch_webhook_disabled';

/** `diplowatch_webhook_disabled{webhook}`: 1 while a webhook is disabled after a 410, read at scrape time. */
function observeWebhooks(metrics: Metrics, config: () => Config, store: Store): void {
  // The registry outlives a server restarted on the same metrics; register once.
  if (metrics.registry.getSingleMetric(WEBHOOK_DISABLED_METRIC)) return;
  new Gauge({
    name: WEBHOOK_DISABLED_METRIC,
    help: 'Whether each configured webhook is disabled because its endpoint answered 410 Gone (read at scrape time).',
    labelNames: ['webhook'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const webhook of config().alerts.webhooks) {
        this.set({ webhook: webhook.id }, disableFor(await store.getWebhookHealth(webhook.id), webhook.url) ? 1 : 0);
      }
    },
  });
}

function feedLinks(request: FastifyRequest, path: string): FeedLinks {
  const origin = `${request.protocol}://${request.host}`;
  return { home: `${origin}/`, self: `${origin}${path}` };
}

async function registerBullBoard(app: FastifyInstance, queues: readonly unknown[]): Promise<void> {
  if (queues.length === 0) return;
  const adapters = queues.map((queue) => {
    if (!(queue instanceof BullQueue)) throw new Error('server: bullBoard.queues must be BullMQ Queue objects');
    return new BullMQAdapter(queue);
  });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath('/admin/queues');
  createBullBoard({ queues: adapters, serverAdapter });
  await app.register(serverAdapter.registerPlugin(), { prefix: '/admin/queues' });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
