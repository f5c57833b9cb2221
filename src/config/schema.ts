import { z } from 'zod';
import { validateCron } from './cron.js';

/**
 * The one configuration schema: every option, its default, its environment variable and its doc line.
 * The README's reference table is generated from it (`npm run docs:config`) and a test checks it is current.
 * `meta({ env })` names the environment variable that overrides a key.
 */

const cron = z.string().superRefine((value, ctx) => {
  const problem = validateCron(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid cron expression (${problem})` });
});

const httpUrl = z
  .string()
  .refine((value) => {
    try {
      const u = new URL(value);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, { message: 'must be an absolute http(s) URL' });

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { message: 'must be 1-64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit' });

const regex = z.string().superRefine((value, ctx) => {
  try {
    new RegExp(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid regular expression (${(err as Error).message})` });
  }
});

// Run list-level checks even when an item failed, as long as the value is a list at all.
const everyList = { when: (payload: { value: unknown }) => Array.isArray(payload.value) };

/** The keys that say where a source's article links come from; a source has exactly one. */
export const SOURCE_KINDS = ['feed', 'listing', 'sitemap'] as const;

export const sourceSchema = z
  .object({
    id: id.describe('Stable identifier of the source, used in logs, job ids and state.'),
    name: z.string().min(1).describe('Human-readable outlet name, shown in alerts.'),
    feed: httpUrl.optional().describe('RSS 2.0, Atom, RDF or JSON Feed URL. Give exactly one of `feed`, `listing` or `sitemap`.'),
    listing: httpUrl.optional().describe('HTML section page whose links matching `articlePattern` are articles.'),
    sitemap: httpUrl.optional().describe('Sitemap, Google News sitemap or sitemap index URL; entries older than `maxAgeDays` (by publication date or lastmod) are skipped.'),
    articlePattern: regex.optional().describe('Regular expression matched against absolute link URLs on a `listing` page.'),
    schedule: cron.default('*/10 * * * *').describe('Cron expression, 5 or 6 fields (with seconds).'),
    language: z.string().regex(/^[a-z]{2}$/, { message: 'must be a two-letter language code such as "en" or "es"' }).optional().describe('Language of the outlet (two letters), used when a page does not say.'),
    enabled: z.boolean().default(true).describe('Set to false to stop polling without deleting the source.'),
    maxAgeDays: z.number().positive().default(3).describe('Articles older than this (by feed or sitemap date) are not fetched.'),
  })
  .strict()
  .superRefine((source, ctx) => {
    const kinds = SOURCE_KINDS.filter((kind) => source[kind] !== undefined);
    if (kinds.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'needs either `feed` (a feed URL) or `listing` (a section page URL)', path: [] });
    }
    if (kinds.length > 1) {
      const named = kinds.map((kind) => `\`${kind}\``);
      const list = named.length === 2 ? `both ${named.join(' and ')}` : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
      ctx.addIssue({ code: 'custom', message: `has ${list}; keep one`, path: [] });
    }
    if (source.listing && !source.articlePattern) {
      ctx.addIssue({ code: 'custom', message: 'a `listing` source needs `articlePattern`, a regular expression matching its article URLs', path: ['articlePattern'] });
    }
  });

export const webhookSchema = z
  .object({
    id: id.describe('Stable identifier of the webhook, used in job ids and logs.'),
    url: httpUrl.describe('Where alerts are POSTed.'),
    secret: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, { message: 'must be a Standard Webhooks secret: "whsec_" followed by base64 (generate one with `openssl rand -base64 32`)' })
      .describe('Signing secret, `whsec_` + base64. Use `${ENV_VAR}` to keep it out of the file.'),
    events: z
      .array(z.enum(['created', 'updated']))
      .min(1)
      .default(['created'])
      .describe('Which story events to send: `created`, and optionally `updated` (a later article joined).'),
    enabled: z.boolean().default(true).describe('Set to false to stop sending to this webhook.'),
    format: z
      .enum(['standard', 'slack', 'discord'])
      .default('standard')
      .describe('Body shape: `standard` (the signed JSON payload), `slack` (incoming-webhook blocks) or `discord` (one embed). Every format carries the Standard Webhooks headers.'),
    digest: cron
      .optional()
      .describe('Cron expression (server local time); when set, new stories are sent as one `stories.digest` on this schedule instead of one alert each (nothing is sent when there are none). `events` does not apply: a digest lists the stories created since the last one.'),
  })
  .strict();

export const configSchema = z
  .object({
    sources: z.array(sourceSchema).superRefine(uniqueIds('sources'), everyList).default([]).describe('The outlets to watch.'),
    alerts: z
      .object({
        webhooks: z.array(webhookSchema).superRefine(uniqueIds('alerts.webhooks'), everyList).default([]).describe('Where to send alerts.'),
        timeoutMs: z.number().int().positive().default(15_000).describe('Abort a webhook request after this many ms.'),
        attempts: z.number().int().min(1).default(30).describe('Delivery attempts per alert before it is kept as failed (default spans about 24 h).'),
        retryBaseMs: z.number().int().positive().default(10_000).describe('First retry delay; doubles each attempt, with jitter.'),
        retryMaxMs: z.number().int().positive().default(3_600_000).describe('Longest delay between two attempts.'),
      })
      .strict()
      .prefault({})
      .describe('Webhook delivery.'),
    fetch: z
      .object({
        userAgent: z
          .string()
          .default('diplowatch/0.1 (+https://github.com/diplowatch/diplowatch)')
          .describe('User-Agent sent to outlets.'),
        connectTimeoutMs: z.number().int().positive().default(10_000).describe('TCP/TLS connect timeout.'),
        headersTimeoutMs: z.number().int().positive().default(15_000).describe('Time allowed until response headers arrive.'),
        bodyTimeoutMs: z.number().int().positive().default(30_000).describe('Time allowed between two body chunks, and for the whole body.'),
        maxBodyBytes: z.number().int().positive().default(5 * 1024 * 1024).describe('Largest decoded body read; larger responses are cut off and refused.'),
        maxRedirects: z.number().int().min(0).default(5).describe('Redirects followed per request.'),
        concurrency: z.number().int().positive().default(8).describe('Requests in flight at once, over all hosts.'),
        perHostConcurrency: z.number().int().positive().default(2).describe('Requests in flight at once to one host.'),
        minDelayMs: z
          .number()
          .int()
          .min(0)
          .default(1000)
          .describe("Least time between two requests to one host, counted from the host's answer to the first; a site's robots.txt Crawl-delay raises it (up to 60 s). Set 0 for tests against a local server."),
        respectRobots: z.boolean().default(true).describe("Fetch each site's robots.txt and skip the URLs it disallows for our User-Agent."),
        allowPrivateNetworks: z.boolean().default(false).describe('Allow article URLs and redirects that resolve to private, loopback or link-local addresses.'),
        allowHosts: z.array(z.string()).default([]).describe('Host names or IP addresses allowed even when private.'),
        sourceBackoffBaseMs: z
          .number()
          .int()
          .positive()
          .default(60_000)
          .describe("After a source's poll fails, scheduled polls wait this long before the next try; each further failure doubles the wait. A success resets it; `scan` ignores it."),
        sourceBackoffMaxMs: z.number().int().positive().default(6 * 3_600_000).describe('Longest wait between two scheduled polls of a failing source.'),
      })
      .strict()
      .prefault({})
      .describe('HTTP fetching.'),
    extract: z
      .object({
        maxElemsToParse: z.number().int().positive().default(20_000).describe("Readability's element budget; pages with more elements are refused."),
        maxHtmlBytes: z.number().int().positive().default(2 * 1024 * 1024).describe('Pages larger than this after trimming scripts and styles are refused.'),
        workers: z.number().int().min(0).optional().describe('Worker threads that extract pages off the event loop; 0 extracts in the main thread. Default: one per CPU but one (at least 1).'),
        timeBudgetMs: z.number().int().positive().default(10_000).describe('A page still being extracted after this long is abandoned (its worker is replaced).'),
      })
      .strict()
      .prefault({})
      .describe('Article extraction.'),
    detect: z
      .object({
        topic: z.string().default('topics/iran-latam.yaml').describe('Topic lexicon file, relative to the folder of the config file.'),
        threshold: z.number().min(0).max(1).default(0.5).describe('Score at or above which an article matches.'),
        prescreen: z
          .boolean()
          .default(true)
          .describe('Skip extracting pages whose paragraphs never name an Iranian and a Latin American party together.'),
      })
      .strict()
      .prefault({})
      .describe('Topic detection.'),
    stories: z
      .object({
        windowDays: z.number().positive().default(7).describe('An article joins a story only within this many days of it.'),
        retentionDays: z.number().positive().default(30).describe('Seen URLs, fingerprints and stories expire after this many days.'),
        similarityThreshold: z.number().min(0).max(1).default(0.7).describe('Text similarity at which two articles are the same story.'),
      })
      .strict()
      .prefault({})
      .describe('Story grouping.'),
    queue: z
      .object({
        discoverConcurrency: z.number().int().positive().default(4).describe('Sources polled at once per process.'),
        articleConcurrency: z.number().int().positive().default(4).describe('Articles processed at once per process.'),
        alertConcurrency: z.number().int().positive().default(4).describe('Webhook deliveries at once per process.'),
        articleAttempts: z.number().int().min(1).default(3).describe('Attempts per article before giving up.'),
      })
      .strict()
      .prefault({})
      .describe('Job processing.'),
    redis: z
      .object({
        url: z.string().optional().describe('Redis URL. When set, diplowatch runs in redis mode; otherwise embedded.').meta({ env: 'REDIS_URL' }),
        prefix: z.string().default('diplowatch').describe('Prefix of every Redis key and queue.'),
      })
      .strict()
      .prefault({})
      .describe('Redis mode.'),
    state: z
      .object({
        dir: z.string().default('state').describe('Where embedded mode keeps its files, relative to the working directory.').meta({ env: 'DIPLOWATCH_STATE_DIR' }),
      })
      .strict()
      .prefault({})
      .describe('Embedded mode.'),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level.').meta({ env: 'LOG_LEVEL' }),
      })
      .strict()
      .prefault({})
      .describe('Logging.'),
    server: z
      .object({
        enabled: z.boolean().default(true).describe('Serve the web page, JSON API, story feeds, health checks and metrics.'),
        host: z.string().min(1).default('127.0.0.1').describe('Address to listen on; `0.0.0.0` accepts connections from other machines.'),
        port: z.number().int().min(0).max(65_535).default(8080).describe('TCP port to listen on (0 picks a free one).'),
        token: z
          .string()
          .min(1, { message: 'is empty; remove `server.token` to serve without a token, or set the variable it names' })
          .optional()
          .describe('Bearer token required on `/`, `/api/*`, the feeds and `/admin/*` (header `Authorization: Bearer …`, or `?token=` for feed readers). Use `${DIPLOWATCH_TOKEN}`. `/healthz`, `/readyz` and `/metrics` stay open: keep `/metrics` on your own network.'),
      })
      .strict()
      .prefault({})
      .describe('HTTP server.'),
    shutdownGraceMs: z.number().int().min(0).default(10_000).describe('On SIGTERM, how long running jobs may take to finish.'),
  })
  .strict();

/**
 * Flags a repeated `id` in a list. It runs even when other items have problems (`everyList`), so one run
 * reports every mistake; items are read defensively because they may be the invalid ones.
 */
function uniqueIds(listPath: string) {
  return (items: readonly unknown[], ctx: z.RefinementCtx): void => {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const value = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
      if (typeof value !== 'string') return;
      const first = seen.get(value);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', message: `duplicate id "${value}" (also at ${listPath}[${first}])`, path: [index, 'id'] });
      } else {
        seen.set(value, index);
      }
    });
  };
}

/** A validated, defaulted configuration. */
export type Config = z.infer<typeof configSchema>;
export type SourceConfig = Config['sources'][number];
export type WebhookConfig = Config['alerts']['webhooks'][number];
