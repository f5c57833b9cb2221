import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { configPathFrom, ConfigError, loadConfig } from './config/load.js';
import { detect } from './detect/index.js';
import { replayStory } from './replay.js';
import { errorMessage } from './errors.js';
import { createHttpClient } from './http/client.js';
import { activeDisable, sendAlert } from './jobs/alert.js';
import { fetchRefs, nextAttemptAt } from './jobs/discover.js';
import { createLogger } from './log.js';
import { chooseMode, loadTopic } from './runtime.js';
import { formatScanReport, runScan, table } from './scan.js';
import { startService, type Role } from './service.js';
import { createFileStore } from './store/file-store.js';
import { createRedisStore } from './store/redis-store.js';
import type { Store, ValidatorStore } from './store/store.js';
import { runDemo } from './demo/demo.js';
import { addSource, formatAddResult } from './sources/add.js';

const USAGE = `diplowatch — alerts on new stories about diplomacy between Iran and Latin America

Usage: diplowatch <command> [options]

Commands:
  run                 run the service (scheduler, workers, config watching)
  scan                poll every enabled source once, print what was found, exit
  extract FILE…       extract articles from saved HTML pages (JSON Lines out)
  classify [FILE|-]   classify JSON Lines articles (JSON Lines out)
  sources check       fetch each source once and report status, items, latency, health
  sources add URL     find an outlet's feed (or guess a listing) and append it to the config
  stories             list recent stories with their articles
  alerts failed       list alerts that ran out of retries
  alerts retry [ID]   send failed alerts again (all, or one by alert id)
  replay --story ID --webhook ID   re-send a story to a webhook (new webhook-id, "replay": true)
  demo                run the pipeline against a local demo site and print alerts

Common options:
  --config PATH       config file (default: $DIPLOWATCH_CONFIG or config/diplowatch.yaml)
  -h, --help          help for a command`;

const HELP: Record<string, string> = {
  run: `Usage: diplowatch run [--config PATH] [--role all|scheduler|worker]

Runs the service. Redis mode when REDIS_URL (or redis.url) is set, embedded otherwise.
  --role all        scheduler and workers in this process (default)
  --role scheduler  only enqueue polls on the sources' schedules (redis mode)
  --role worker     only process jobs (redis mode); start several for more throughput
Signals: SIGHUP re-reads the config; SIGTERM/SIGINT stop after running jobs finish.`,
  scan: `Usage: diplowatch scan [--config PATH] [--dry-run]

Polls every enabled source once (embedded mode, state under state.dir), processes the new
articles, sends alerts for new stories, prints a table and exits.
  --dry-run   record stories but send no alert
Exit status: 0, or 2 when the config is invalid.`,
  extract: `Usage: diplowatch extract FILE… [--url URL]

Extracts each saved HTML page and prints one JSON object per file, in order:
{file, url, canonicalUrl, title, byline, text, excerpt, lang, siteName, publishedAt}
or {file, error} when a page fails.
  --url URL   the page's original URL (resolves relative links); default file://PATH`,
  classify: `Usage: diplowatch classify [FILE|-] [--config PATH]

Reads JSON Lines, each {id, title?, text} or {id, html, url?}, from FILE or standard input,
and prints {id, match, score, reasons, signature} per line.`,
  sources: `Usage: diplowatch sources check [--config PATH] [--all]
       diplowatch sources add URL [--config PATH] [--id ID] [--name NAME] [--schedule CRON] [--dry-run]

check  fetches each enabled source once (--all: disabled ones too) and prints status, items,
       latency and error, with the health the service recorded (last success, failures).
       Use it to verify the shipped feed URLs from your network.
add    fetches URL; if it is a feed, uses it; else finds the feeds the page announces
       (<link rel="alternate">), checks each, prints them and appends the first that parses
       to the config file, keeping its comments. Without a feed it prints a guessed
       listing source (not written). --dry-run prints without writing.`,
  stories: `Usage: diplowatch stories [--config PATH] [--since DATE] [--json]

Lists recent stories, newest first, with their articles and why each joined.`,
  alerts: `Usage: diplowatch alerts failed|retry [ID] [--config PATH]

failed  lists alerts that ran out of retries (kept, never dropped)
retry   sends them again now (all, or the one with this alert id); successes are removed`,
  replay: `Usage: diplowatch replay --story ID --webhook ID [--config PATH]

Sends the story's story.created again to one webhook, in its format, under a NEW webhook-id
and marked "replay": true (standard format; "(replay)" in Slack and Discord), so a receiver
that dedupes by id takes it. Sends once, no retry. Story ids: \`diplowatch stories\`.`,
  demo: `Usage: diplowatch demo [--keep-running]

Starts a local demo outlet site (three outlets: RSS, Atom and a listing page) and a local
webhook receiver that verifies signatures, runs the service against them and prints each
alert as it arrives. Needs no internet and no Redis.`,
};

const OPTIONS: ParseArgsConfig['options'] = {
  story: { type: 'string' },
  webhook: { type: 'string' },
  config: { type: 'string' },
  role: { type: 'string' },
  'dry-run': { type: 'boolean' },
  url: { type: 'string' },
  since: { type: 'string' },
  json: { type: 'boolean' },
  all: { type: 'boolean' },
  id: { type: 'string' },
  name: { type: 'string' },
  schedule: { type: 'string' },
  'keep-running': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

type Values = Record<string, string | boolean | undefined>;

/** Runs the CLI with these arguments; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
  } catch (err) {
    process.stderr.write(`diplowatch: ${errorMessage(err)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (!command || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP[command] ?? USAGE}\n`);
    return HELP[command] ? 0 : 2;
  }
  const configPath = configPathFrom(typeof values.config === 'string' ? values.config : undefined);
  try {
    switch (command) {
      case 'run':
        return await runCommand(configPath, values);
      case 'scan':
        return await scanCommand(configPath, values);
      case 'extract':
        return await extractCommand(rest, values);
      case 'classify':
        return await classifyCommand(configPath, rest);
      case 'sources':
        return await sourcesCommand(configPath, rest, values);
      case 'stories':
        return await storiesCommand(configPath, values);
      case 'alerts':
        return await alertsCommand(configPath, rest);
      case 'replay':
        return await replayCommand(configPath, values);
      case 'demo':
        return await runDemo({ keepRunning: values['keep-running'] === true, out: process.stdout });
      default:
        process.stderr.write(`diplowatch: unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`diplowatch: invalid config ${configPath}:\n${err.message}\n`);
      return 2;
    }
    process.stderr.write(`diplowatch: ${errorMessage(err)}\n`);
    return 1;
  }
}

async function runCommand(configPath: string, values: Values): Promise<number> {
  const role = (values.role ?? 'all') as string;
  if (!['all', 'scheduler', 'worker'].includes(role)) {
    process.stderr.write(`diplowatch: --role must be all, scheduler or worker (got "${role}")\n`);
    return 2;
  }
  const preview = await loadConfig(configPath);
  const logger = createLogger({ level: preview.config.log.level });
  await startService({ configPath, logger, role: role as Role, handleSignals: true });
  // The service runs until a signal stops it (the handlers exit the process).
  await new Promise<never>(() => undefined);
  return 0;
}

async function scanCommand(configPath: string, values: Values): Promise<number> {
  const preview = await loadConfig(configPath);
  // The table goes to stdout; logs go to stderr so they do not mix with it.
  const logger = createLogger({ level: preview.config.log.level === 'info' ? 'warn' : preview.config.log.level, pretty: false, destination: process.stderr });
  const report = await runScan({ configPath, logger, dryRun: values['dry-run'] === true });
  process.stdout.write(`${formatScanReport(report)}\n`);
  return 0;
}

async function extractCommand(files: string[], values: Values): Promise<number> {
  if (files.length === 0) {
    process.stderr.write(`${HELP.extract}\n`);
    return 2;
  }
  const { extractArticle } = await import('./parsers/article.js');
  for (const file of files) {
    const url = typeof values.url === 'string' ? values.url : pathToFileURL(resolve(file)).href;
    let line: Record<string, unknown>;
    try {
      const html = await readFile(file, 'utf8');
      line = { file, ...extractArticle(html, url, {}) };
    } catch (err) {
      line = { file, error: errorMessage(err) };
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return 0;
}

async function classifyCommand(configPath: string, rest: string[]): Promise<number> {
  const loaded = await loadConfig(configPath);
  const topic = await loadTopic(loaded);
  const source = rest[0] && rest[0] !== '-' ? await readFile(rest[0], 'utf8') : await readStdin();
  let lineNo = 0;
  for (const raw of source.split('\n')) {
    lineNo += 1;
    if (raw.trim() === '') continue;
    let out: Record<string, unknown>;
    try {
      const input = JSON.parse(raw) as { id?: unknown; title?: unknown; text?: unknown; html?: unknown; url?: unknown };
      const id = input.id ?? lineNo;
      let title = typeof input.title === 'string' ? input.title : '';
      let text = typeof input.text === 'string' ? input.text : '';
      let lang: string | undefined;
      if (typeof input.html === 'string') {
        const { extractArticle } = await import('./parsers/article.js');
        const article = extractArticle(input.html, typeof input.url === 'string' ? input.url : 'https://example.invalid/', {});
        title = title || article.title;
        text = article.text;
        lang = article.lang;
      } else if (typeof input.text !== 'string') {
        throw new Error('needs "text" or "html"');
      }
      const verdict = detect({ title, text, lang }, topic, { threshold: loaded.config.detect.threshold });
      out = { id, ...verdict };
    } catch (err) {
      out = { line: lineNo, error: `classify: line ${lineNo}: ${errorMessage(err)}` };
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
  return 0;
}

async function sourcesCommand(configPath: string, rest: string[], values: Values): Promise<number> {
  if (rest[0] === 'add') return sourcesAddCommand(configPath, rest[1], values);
  if (rest[0] !== 'check') {
    process.stderr.write(`${HELP.sources}\n`);
    return 2;
  }
  const { config } = await loadConfig(configPath);
  const http = createHttpClient(config.fetch);
  // A check is a first poll: no stored validators, and nothing remembered for the service's next poll.
  const noValidators: ValidatorStore = { getValidators: async () => undefined, setValidators: async () => undefined };
  const sources = config.sources.filter((source) => values.all === true || source.enabled);
  // Health recorded by the service, when its state can be read (an embedded service holds its state dir).
  let store: Store | undefined;
  let healthNote = '';
  try {
    store = await openStore(configPath);
  } catch (err) {
    healthNote = `(recorded health not shown: ${errorMessage(err)})\n`;
  }
  const rows: string[][] = [['source', 'status', 'items', 'latency', 'last success', 'failures', 'last article error', 'error']];
  let failures = 0;
  const webhookLines: Array<{ disabled: boolean; row: string[] }> = [];
  try {
    if (store) {
      const failedAlerts = await store.listFailedAlerts();
      for (const webhook of config.alerts.webhooks) {
        const disabled = await activeDisable(store, webhook);
        const kept = String(failedAlerts.filter((alert) => alert.webhookId === webhook.id).length);
        const state = disabled ? 'disabled' : webhook.enabled ? 'ok' : 'off in config';
        webhookLines.push({ disabled: disabled !== undefined, row: [webhook.id, state, kept, disabled?.disabledAt ?? '', disabled?.reason ?? ''] });
      }
    }
    const results = await Promise.all(
      sources.map(async (source) => {
        const started = Date.now();
        const health = await store?.getSourceHealth(source.id);
        const retryAt = nextAttemptAt(health, config.fetch);
        const failuresText = health ? `${health.consecutiveFailures}${retryAt && retryAt.getTime() > Date.now() ? ` (backing off until ${retryAt.toISOString()})` : ''}` : '-';
        const recorded = [health?.lastSuccessAt ?? (store ? 'never' : '-'), failuresText, health?.lastArticleError ?? ''];
        try {
          const { refs } = await fetchRefs({ http, store: noValidators }, source);
          return [source.id, 'ok', String(refs.length), `${Date.now() - started} ms`, ...recorded, ''];
        } catch (err) {
          failures += 1;
          return [source.id, 'error', '-', `${Date.now() - started} ms`, ...recorded, errorMessage(err)];
        }
      }),
    );
    rows.push(...results);
  } finally {
    await http.close();
    await store?.close();
  }
  process.stdout.write(`${table(rows)}\n${healthNote}${sources.length - failures}/${sources.length} sources ok\n`);
  const disabledWebhooks = webhookLines.filter((line) => line.disabled).length;
  if (webhookLines.length > 0) {
    process.stdout.write(`\n${table([['webhook', 'state', 'failed alerts', 'since', 'reason'], ...webhookLines.map((line) => line.row)])}\n`);
    if (disabledWebhooks > 0) process.stdout.write('a disabled webhook gets no alerts (they are kept as failed); `diplowatch alerts retry` re-enables it once its endpoint answers 2xx\n');
  }
  return failures === 0 && disabledWebhooks === 0 ? 0 : 1;
}

async function sourcesAddCommand(configPath: string, url: string | undefined, values: Values): Promise<number> {
  if (!url) {
    process.stderr.write(`${HELP.sources}\n`);
    return 2;
  }
  const { config } = await loadConfig(configPath);
  const http = createHttpClient(config.fetch);
  try {
    const result = await addSource({
      url,
      configPath,
      http,
      write: values['dry-run'] !== true,
      ...(typeof values.id === 'string' ? { id: values.id } : {}),
      ...(typeof values.name === 'string' ? { name: values.name } : {}),
      ...(typeof values.schedule === 'string' ? { schedule: values.schedule } : {}),
    });
    process.stdout.write(`${formatAddResult(result)}\n`);
    return result.source ? 0 : 1;
  } finally {
    await http.close();
  }
}

async function openStore(configPath: string): Promise<Store> {
  const { config } = await loadConfig(configPath);
  const mode = chooseMode(config);
  return mode.kind === 'redis'
    ? createRedisStore({ url: config.redis.url as string, prefix: config.redis.prefix, retentionDays: config.stories.retentionDays })
    : createFileStore({ dir: resolve(config.state.dir), retentionDays: config.stories.retentionDays });
}

async function storiesCommand(configPath: string, values: Values): Promise<number> {
  const since = typeof values.since === 'string' ? new Date(values.since) : undefined;
  if (since && Number.isNaN(since.getTime())) {
    process.stderr.write(`diplowatch: --since "${String(values.since)}" is not a date (use e.g. 2026-11-01)\n`);
    return 2;
  }
  const store = await openStore(configPath);
  try {
    const stories = await store.listStories({ since: since?.toISOString(), limit: 200 });
    if (values.json === true) {
      for (const story of stories) process.stdout.write(`${JSON.stringify(story)}\n`);
      return 0;
    }
    if (stories.length === 0) process.stdout.write('no stories\n');
    for (const story of stories) {
      process.stdout.write(`${story.createdAt}  ${story.id}  ${story.title}\n`);
      for (const article of story.articles) process.stdout.write(`    ${article.outlet}: ${article.url}\n      ${article.joinReason}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

async function alertsCommand(configPath: string, rest: string[]): Promise<number> {
  const [sub, id] = rest;
  if (sub !== 'failed' && sub !== 'retry') {
    process.stderr.write(`${HELP.alerts}\n`);
    return 2;
  }
  const { config } = await loadConfig(configPath);
  const store = await openStore(configPath);
  try {
    const failed = (await store.listFailedAlerts()).filter((alert) => !id || alert.alertId === id);
    if (sub === 'failed') {
      if (failed.length === 0) process.stdout.write('no failed alerts\n');
      const rows = [['alert id', 'webhook', 'story', 'event', 'failed at', 'error'], ...failed.map((a) => [a.alertId, a.webhookId, a.storyId, a.event, a.failedAt, a.error])];
      if (failed.length > 0) process.stdout.write(`${table(rows)}\n`);
      for (const webhook of config.alerts.webhooks) {
        const disabled = await activeDisable(store, webhook);
        if (disabled) process.stdout.write(`webhook ${webhook.id} disabled since ${disabled.disabledAt} (${disabled.reason}); \`diplowatch alerts retry\` re-enables it\n`);
      }
      return 0;
    }
    const http = createHttpClient(config.fetch);
    let sent = 0;
    // A webhook that answers 410 again during this retry is not asked again for its other alerts.
    const gone = new Set<string>();
    try {
      for (const alert of failed) {
        const webhook = config.alerts.webhooks.find((candidate) => candidate.id === alert.webhookId);
        if (!webhook || gone.has(alert.webhookId)) {
          process.stdout.write(`${alert.alertId}: webhook "${alert.webhookId}" is ${webhook ? 'gone (HTTP 410)' : 'no longer configured'}; kept\n`);
          continue;
        }
        // Sent even when the webhook is disabled: the operator asking for a retry is what re-enables it.
        const result = await sendAlert(http, webhook, alert, { nowSeconds: Math.floor(Date.now() / 1000), timeoutMs: config.alerts.timeoutMs });
        if (result.ok) {
          await store.removeFailedAlert(alert.alertId);
          sent += 1;
          process.stdout.write(`${alert.alertId}: delivered (HTTP ${result.statusCode})\n`);
          if (await store.enableWebhook(webhook.id)) process.stdout.write(`webhook ${webhook.id} re-enabled\n`);
        } else {
          if (result.statusCode === 410) gone.add(webhook.id);
          process.stdout.write(`${alert.alertId}: still failing (${result.error}); kept\n`);
        }
      }
    } finally {
      await http.close();
    }
    process.stdout.write(`${sent}/${failed.length} delivered\n`);
    return sent === failed.length ? 0 : 1;
  } finally {
    await store.close();
  }
}

async function replayCommand(configPath: string, values: Values): Promise<number> {
  const storyId = typeof values.story === 'string' ? values.story : undefined;
  const webhookId = typeof values.webhook === 'string' ? values.webhook : undefined;
  if (!storyId || !webhookId) {
    process.stderr.write(`${HELP.replay}\n`);
    return 2;
  }
  const { config } = await loadConfig(configPath);
  const store = await openStore(configPath);
  const http = createHttpClient(config.fetch);
  try {
    const result = await replayStory({ storyId, webhookId, config, store, http });
    if (result.ok) {
      process.stdout.write(`${result.alertId}: story ${result.storyId} delivered to ${result.webhookId} (HTTP ${result.statusCode})\n`);
      return 0;
    }
    process.stdout.write(`${result.alertId}: story ${result.storyId} not delivered to ${result.webhookId} (${result.error})\n`);
    return 1;
  } finally {
    await http.close();
    await store.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// Run when executed directly (`node dist/cli.js`, `tsx src/cli.ts`); bin/diplowatch.js imports `main` itself.
const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`diplowatch: ${errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
