import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadConfig, type LoadedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { ConfigWatcher } from './config/watch.js';
import { errorMessage } from './errors.js';
import { redactUrl } from './log.js';
import { EvictionPolicyError } from './store/redis-store.js';
import { BullmqQueue } from './queue/bullmq-queue.js';
import { Scheduler } from './queue/scheduler.js';
import { DigestScheduler } from './jobs/digest.js';
import { startServer, type RunningServer } from './server/server.js';
import { concurrencyFrom } from './queue/index.js';
import { chooseMode, createRuntime, loadTopic, type Mode, type Runtime } from './runtime.js';

/** Which parts of the service this process runs. */
export type Role = 'all' | 'scheduler' | 'worker';

/** A running service. */
export interface Service {
  runtime: Runtime;
  /** The HTTP server's URL, when `server.enabled`. */
  serverUrl: string | undefined;
  scheduler: Scheduler | undefined;
  /** Re-reads the config file (what SIGHUP does). */
  reload(): Promise<'applied' | 'unchanged' | 'invalid'>;
  /** Stops the scheduler, lets running jobs finish (bounded by `shutdownGraceMs`), closes everything. */
  stop(): Promise<void>;
}

/**
 * Starts the service: store, queue, workers, scheduler and config watching. The config file is watched (and
 * re-read on SIGHUP when `handleSignals` is on): a valid edit is applied without a restart and logged change by
 * change; an invalid one is rejected and the last good config stays.
 */
export async function startService(options: {
  configPath: string;
  logger: Logger;
  role?: Role;
  handleSignals?: boolean;
  env?: Record<string, string | undefined>;
}): Promise<Service> {
  const { logger } = options;
  const role = options.role ?? 'all';
  let loaded: LoadedConfig = await loadConfig(options.configPath, options.env ?? process.env);
  const mode = chooseMode(loaded.config);
  if (mode.kind === 'embedded' && role !== 'all') {
    throw new Error(`service: --role ${role} needs redis mode (set REDIS_URL); embedded mode runs everything in one process`);
  }
  logger.info({ mode: mode.kind, role, config: loaded.path }, `mode: ${mode.kind} (${mode.reason})`);
  warnAboutConfig(loaded.config, logger);

  const env = options.env ?? process.env;
  // DIPLOWATCH_STALLED_INTERVAL_MS: BullMQ lock duration and stalled-job check (default 30 s). A crashed
  // worker's jobs run again after one to two intervals; tests shorten it, production rarely needs to.
  const stalled = Number(env.DIPLOWATCH_STALLED_INTERVAL_MS);
  const stalledIntervalMs = Number.isInteger(stalled) && stalled > 0 ? stalled : undefined;
  const runtime = await createRuntimeWhenReachable(loaded, logger, mode, stalledIntervalMs);
  if (role !== 'scheduler') {
    runtime.queue.start(runtime.handlers, { concurrency: concurrencyFrom(loaded.config), onFailed: runtime.onFailed });
  }
  const scheduler = role === 'worker' ? undefined : new Scheduler({ queue: runtime.queue, logger });
  if (scheduler) {
    scheduler.setSources(loaded.config.sources);
    // A first poll right away, so a new installation shows results without waiting for the first tick.
    await scheduler.runNow();
    const enabled = loaded.config.sources.filter((source) => source.enabled).length;
    logger.info({ sources: enabled }, `scheduler started: ${enabled} source(s)`);
  }

  // Digest webhooks are sent on their own cron by the scheduler role (a lease keeps two processes off one webhook).
  const digests = role === 'worker' ? undefined : new DigestScheduler({ config: () => loaded.config, store: runtime.store, http: runtime.http, logger, now: () => runtime.deps.now() });
  digests?.setWebhooks(loaded.config.alerts.webhooks);

  const watcher = new ConfigWatcher(
    loaded.path,
    loaded.config,
    {
      // Rejecting keeps the watcher on the config that is really applied; the next reload tries again.
      onChange: async (next: Config, changes: string[]) => {
        const nextLoaded: LoadedConfig = { ...loaded, config: next };
        const topic = await loadTopic(nextLoaded);
        loaded = nextLoaded;
        runtime.update(loaded, topic);
        scheduler?.setSources(next.sources);
        digests?.setWebhooks(next.alerts.webhooks);
        for (const change of changes) logger.info({ change }, change);
        logger.info({ changes: changes.length }, 'config reloaded');
      },
      onInvalid: (err: Error) => {
        logger.error({ error: err.message }, 'config change rejected; keeping the last good config');
      },
    },
    { env: options.env ?? process.env },
  );
  watcher.start();

  let server: RunningServer | undefined;
  if (loaded.config.server.enabled) {
    const bullQueues = runtime.queue instanceof BullmqQueue ? runtime.queue.bullQueues() : undefined;
    server = await startServer({
      config: () => loaded.config,
      store: runtime.store,
      queue: runtime.queue,
      metrics: runtime.deps.metrics,
      ready: () => (scheduler && !scheduler.running() ? { ok: false, reason: 'scheduler not running' } : { ok: true }),
      logger,
      ...(bullQueues ? { bullBoard: { queues: bullQueues } } : {}),
    });
    logger.info({ url: server.url }, `HTTP server on ${server.url} (/healthz, /readyz, /metrics, /api/stories, /feed.xml, /)`);
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ graceMs: loaded.config.shutdownGraceMs }, 'shutting down: no new jobs; waiting for running ones');
      scheduler?.stop();
      await digests?.stop();
      watcher.close();
      await server?.close();
      await runtime.close(loaded.config.shutdownGraceMs);
      logger.info('stopped');
    })();
    return stopping;
  };

  if (options.handleSignals) {
    process.on('SIGHUP', () => {
      logger.info('SIGHUP: re-reading the config');
      void watcher.reload();
    });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, `${signal} received`);
        stop().then(
          () => exitAfterFlush(logger, 0),
          (err: unknown) => {
            logger.error({ error: errorMessage(err) }, 'shutdown failed');
            exitAfterFlush(logger, 1);
          },
        );
      });
    }
  }

  return { runtime, scheduler, serverUrl: server?.url, reload: () => watcher.reload(), stop };
}

/**
 * Exits once the last log lines are written: on a pipe, pino may still hold lines ("stopped") that an
 * immediate `process.exit` would drop.
 */
function exitAfterFlush(logger: Logger, code: number): void {
  const exit = () => process.exit(code);
  // Bounded, so a stuck stdout cannot keep a stopped service alive.
  setTimeout(exit, 2_000).unref();
  logger.flush(() => exit());
}

/** First wait between two connection attempts at start-up; it doubles up to the cap. */
const CONNECT_RETRY_BASE_MS = 1_000;
const CONNECT_RETRY_MAX_MS = 30_000;

/**
 * Creates the runtime; in redis mode an unreachable Redis is retried with backoff instead of ending the process,
 * so a service started before its Redis (a reboot, a compose file) comes up on its own. Meanwhile, when the
 * server is enabled, a stand-in answers `/healthz` 200 and `/readyz` 503. A Redis that answers but is set up
 * wrongly (an evicting `maxmemory-policy`) is not retried: it ends the start-up with its explanation.
 */
async function createRuntimeWhenReachable(loaded: LoadedConfig, logger: Logger, mode: Mode, stalledIntervalMs: number | undefined): Promise<Runtime> {
  const create = () => createRuntime({ loaded, logger, mode, ...(stalledIntervalMs ? { stalledIntervalMs } : {}) });
  if (mode.kind !== 'redis') return create();
  let standIn: Server | undefined;
  let delay = CONNECT_RETRY_BASE_MS;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await create();
      } catch (err) {
        if (err instanceof EvictionPolicyError || !/cannot connect to Redis/.test(errorMessage(err))) throw err;
        logger.warn({ attempt, retryInMs: delay, error: errorMessage(err) }, `${errorMessage(err)}; retrying in ${Math.round(delay / 1000)} s`);
      }
      if (!standIn && loaded.config.server.enabled) {
        standIn = await startStandInServer(loaded.config.server.host, loaded.config.server.port, `waiting for Redis at ${redactUrl(loaded.config.redis.url ?? '')}`);
        const address = standIn.address() as AddressInfo;
        const url = `http://${formatHost(loaded.config.server.host)}:${address.port}`;
        logger.info({ url }, `HTTP server on ${url} (/healthz; /readyz answers 503 until Redis connects)`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, CONNECT_RETRY_MAX_MS);
    }
  } finally {
    if (standIn) {
      const closing = standIn;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    }
  }
}

/** A minimal server for the wait at start-up: alive, not ready. */
async function startStandInServer(host: string, port: number, reason: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const [status, body] = path === '/healthz' ? [200, { status: 'ok' }] : [503, { status: 'unavailable', reason }];
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Startup warnings for configurations that run but would surprise a user. */
export function warnAboutConfig(config: Config, logger: Logger): void {
  if (config.alerts.webhooks.filter((webhook) => webhook.enabled).length === 0) {
    logger.warn('no webhooks configured: stories are recorded (see `diplowatch stories`) but no alert is sent');
  }
  if (config.sources.filter((source) => source.enabled).length === 0) {
    logger.warn('no enabled sources: nothing will be polled');
  }
}
