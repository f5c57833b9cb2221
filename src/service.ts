import type { Logger } from 'pino';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { diffConfig } from './config/diff.js';
import type { Config } from './config/schema.js';
import { ConfigWatcher } from './config/watch.js';
import { errorMessage } from './errors.js';
import { BullmqQueue } from './queue/bullmq-queue.js';
import { Scheduler } from './queue/scheduler.js';
import { startServer, type RunningServer } from './server/server.js';
import { concurrencyFrom } from './queue/index.js';
import { chooseMode, createRuntime, loadTopic, type Runtime } from './runtime.js';

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

  const runtime = await createRuntime({ loaded, logger, mode });
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
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ error: errorMessage(err) }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  }

  return { runtime, scheduler, serverUrl: server?.url, reload: () => watcher.reload(), stop };
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
