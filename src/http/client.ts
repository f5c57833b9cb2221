/**
 * The one HTTP client (undici): concurrency limits, per-host pacing (minimum gap, Crawl-delay, Retry-After),
 * robots.txt, redirects followed by hand with the SSRF guard on every hop, conditional GET, bounded decoding,
 * charset detection, and webhook POSTs. It logs nothing: it returns results or throws PermanentError /
 * TransientError and the job layer logs.
 */
import { Agent, type Dispatcher } from 'undici';
import type { Config } from '../config/schema.js';
import { PermanentError, TransientError } from '../errors.js';
import type { FetchValidators } from '../store/store.js';
import { discard, overLimit, readBody } from './body.js';
import { decodeBody } from './charset.js';
import { isRetryableStatus, networkError, parseRetryAfter, seconds, statusError, type TimeoutSettings } from './failures.js';
import { AllowList, RefusedAddressError, guardedConnector } from './guard.js';
import { HostPacer, HostPausedError, type Turn } from './pacer.js';
import { RobotsCache, type RobotsResponse, type RobotsVerdict } from './robots-cache.js';
import { ROBOTS_MAX_BYTES } from './robots.js';
import { KeyedSemaphore, Semaphore, type Release } from './semaphore.js';

/** The `fetch` section of the configuration. */
export type FetchOptions = Config['fetch'];

/** What a GET expects: a feed, an HTML page, or anything (robots.txt, sitemaps). */
export type AcceptKind = 'feed' | 'html' | 'any';

/** Options of one GET. */
export interface GetOptions {
  accept: AcceptKind;
  /** ETag / Last-Modified from the previous fetch of this URL, sent as If-None-Match / If-Modified-Since. */
  validators?: FetchValidators;
  /** A configured source URL: its first connection skips the address check (redirects never do). */
  trusted?: boolean;
  signal?: AbortSignal;
}

/** The outcome of a GET that did not throw. */
export type FetchResult =
  | {
      status: 'ok';
      /** The final URL, after redirects. */
      url: string;
      statusCode: number;
      contentType: string;
      text: string;
      /** Body bytes on the wire (compressed, when the server compressed). */
      bytes: number;
      decodedBytes: number;
      validators: FetchValidators;
      /** The URLs that answered with a redirect, in order; empty when there was none. */
      redirects: string[];
      durationMs: number;
    }
  | { status: 'not-modified'; url: string; bytes: number; durationMs: number };

/** The outcome of a webhook POST; failures say whether a retry can help. */
export type WebhookResult =
  | { ok: true; statusCode: number; durationMs: number }
  | { ok: false; statusCode?: number; permanent: boolean; retryAfterMs?: number; error: string; durationMs: number };

/** Options of one webhook POST. */
export interface WebhookOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The HTTP client used by every job. */
export interface HttpClient {
  /** GETs `url`, following redirects; throws PermanentError or TransientError on failure. */
  get(url: string, options: GetOptions): Promise<FetchResult>;
  /** POSTs `body` to a webhook; never throws, never follows redirects. */
  postWebhook(url: string, body: string, headers: Record<string, string>, options: WebhookOptions): Promise<WebhookResult>;
  /** Closes idle connections and waits for requests in flight; safe to call more than once. */
  close(): Promise<void>;
}

/** How long an idle connection is kept for the next poll of the same host. */
const KEEP_ALIVE_MS = 10_000;
/** A webhook receiver's answer is read (then dropped) up to this size, so the connection can be reused. */
const WEBHOOK_RESPONSE_BYTES = 64 * 1024;
/** Bodies of redirects, 304s and error statuses are drained up to this size to keep the connection; more is cut. */
const DRAIN_BYTES = 16 * 1024;
/** A robots.txt Crawl-delay above this is read as this: a site asking for one page an hour would stall its source. */
const MAX_CRAWL_DELAY_MS = 60_000;
/** A Retry-After pause of a host is held at most this long. */
const MAX_RETRY_AFTER_MS = 3_600_000;
/**
 * A request facing a longer Retry-After pause fails at once with TransientError(retryAfterMs) so the queue
 * reschedules it, rather than holding a worker for up to an hour.
 */
const MAX_PAUSE_WAIT_MS = 60_000;
/** Hosts whose pacing state is remembered, and origins whose robots.txt is cached (least recently used dropped). */
const MAX_PACED_HOSTS = 4096;
const MAX_ROBOTS_ORIGINS = 512;
/** Statuses whose Retry-After holds back every later request to the host, not only this one. */
const PAUSING_STATUSES = new Set([429, 503]);

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const ACCEPT_HEADERS: Record<AcceptKind, string> = {
  feed: 'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.5, */*;q=0.1',
  html: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1',
  any: '*/*',
};

const FEED_TYPES = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/rdf+xml',
  'application/xml',
  'text/xml',
  'application/feed+json',
  'application/json',
  // Many servers label feeds as HTML or plain text; the parser decides.
  'text/html',
  'text/plain',
]);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/** True when a response of media type `mediaType` ('' when absent) is worth reading for `accept`. */
function acceptable(accept: AcceptKind, mediaType: string): boolean {
  if (accept === 'any' || mediaType === '') return true;
  if (accept === 'html') return HTML_TYPES.has(mediaType);
  return FEED_TYPES.has(mediaType) || mediaType.endsWith('+xml');
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function httpUrl(text: string, context: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PermanentError(`fetch: invalid URL ${text}${context}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PermanentError(`fetch: refusing ${context ? 'redirect to ' : ''}non-http URL ${url.href}${context}`);
  }
  return url;
}

/** A webhook URL as it may appear in errors and logs: Slack and Discord URLs carry their secret in the path. */
function webhookLabel(url: URL): string {
  return url.pathname === '/' && url.search === '' ? url.origin : `${url.origin}/…`;
}

async function drain(body: Dispatcher.ResponseData['body'], limit: number, signal?: AbortSignal): Promise<void> {
  try {
    await body.dump(signal ? { limit, signal } : { limit });
  } catch {
    // The response is already judged; a broken body after that changes nothing.
  }
}

type HopOutcome =
  | { kind: 'redirect'; location: string }
  | { kind: 'not-modified'; cacheControl: string | undefined }
  | { kind: 'ok'; statusCode: number; contentType: string; text: string; bytes: number; decodedBytes: number; validators: FetchValidators; cacheControl: string | undefined };

/** How a GET is made inside the client; robots.txt itself is fetched without a robots check and truncated, not refused, when long. */
interface FetchPlan {
  checkRobots: boolean;
  truncateAt?: number;
}

/** A GET's result plus the response's Cache-Control, which only the robots cache reads. */
interface FetchOutcome {
  result: FetchResult;
  cacheControl: string | undefined;
}

/** What the client takes besides its options; tests pass a clock to age the robots.txt cache without waiting. */
export interface HttpClientDeps {
  /** Epoch ms, for robots.txt lifetimes; pacing keeps the real clock because it sets real timers. */
  now?: () => number;
}

/** Creates the client: one keep-alive connection pool, plus a guarded one for connections that need the address check. */
export function createHttpClient(options: FetchOptions, deps: HttpClientDeps = {}): HttpClient {
  const timeouts: TimeoutSettings = options;
  const poolOptions = {
    keepAliveTimeout: KEEP_ALIVE_MS,
    connections: options.perHostConcurrency,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  };
  const open = new Agent({ ...poolOptions, connect: { timeout: options.connectTimeoutMs } });
  const guarded = options.allowPrivateNetworks
    ? open
    : new Agent({ ...poolOptions, connect: guardedConnector({ connectTimeoutMs: options.connectTimeoutMs, allow: new AllowList(options.allowHosts) }) });
  // Webhooks get their own pool: alert delivery must not queue behind outlet fetches to the same host.
  const webhooks = new Agent({ keepAliveTimeout: KEEP_ALIVE_MS, connect: { timeout: options.connectTimeoutMs } });
  const global = new Semaphore(options.concurrency);
  const perHost = new KeyedSemaphore(options.perHostConcurrency);
  const pacer = new HostPacer({ maxHosts: MAX_PACED_HOSTS, maxPauseWaitMs: MAX_PAUSE_WAIT_MS });
  const robots = options.respectRobots ? new RobotsCache(options.userAgent, fetchRobots, MAX_ROBOTS_ORIGINS, deps.now) : undefined;

  /** The gap after a request to `url`'s host: the configured one, or the site's Crawl-delay when longer. */
  function gapAfter(url: URL): number {
    const crawlDelay = robots?.crawlDelayMs(url.origin);
    return Math.max(options.minDelayMs, Math.min(crawlDelay ?? 0, MAX_CRAWL_DELAY_MS));
  }

  /**
   * Runs one request to `url` once its host has a free slot and its pacing allows, then a global slot. `work` calls
   * `answered` when the response headers arrive.
   */
  async function withSlots<T>(url: URL, signal: AbortSignal | undefined, work: (answered: () => void) => Promise<T>): Promise<T> {
    // Host slot, then the pacing turn, then a global slot: a request waiting for a busy or paced host must not
    // hold a global slot meanwhile. Both host limits are per host name, whatever the port or scheme.
    const releaseHost = await perHost.acquire(url.hostname, signal);
    let turn: Turn | undefined;
    let releaseGlobal: Release | undefined;
    try {
      turn = await pacer.turn(url.hostname, signal);
      releaseGlobal = await global.acquire(signal);
    } catch (err) {
      turn?.cancel();
      releaseHost();
      if (err instanceof HostPausedError) {
        throw new TransientError(`fetch: ${err.host} asked to wait (Retry-After), ${seconds(Math.ceil(err.remainingMs / 1000) * 1000)} left (${url.href})`, {
          retryAfterMs: err.remainingMs,
        });
      }
      throw err;
    }
    // With a gap, the turn lasts until the host answered: only then is it sure the host has seen the request (a
    // new connection's handshake can delay the first one), so the gap holds as the host measures it. Without a
    // gap the turn ends at once, leaving the requests free to overlap up to perHostConcurrency.
    const paced = turn;
    const answered = (): void => paced.done(gapAfter(url));
    if (gapAfter(url) === 0) paced.done(0);
    try {
      return await work(answered);
    } finally {
      answered();
      releaseGlobal();
      releaseHost();
    }
  }

  function requestHeaders(accept: AcceptKind, validators: FetchValidators | undefined): Record<string, string> {
    const headers: Record<string, string> = {
      'user-agent': options.userAgent,
      accept: ACCEPT_HEADERS[accept],
      'accept-encoding': 'gzip, deflate, br',
    };
    if (validators?.etag) headers['if-none-match'] = validators.etag;
    if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
    return headers;
  }

  async function hop(url: URL, dispatcher: Dispatcher, getOptions: GetOptions, plan: FetchPlan, answered: () => void): Promise<HopOutcome> {
    const href = url.href;
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: requestHeaders(getOptions.accept, getOptions.validators),
      signal: getOptions.signal ?? null,
    });
    const { statusCode, headers, body } = response;
    // Before the turn ends, so no request to this host slips out between the answer and the pause.
    const retryAfterMs = PAUSING_STATUSES.has(statusCode) ? parseRetryAfter(header(headers, 'retry-after'), Date.now()) : undefined;
    if (retryAfterMs !== undefined) pacer.pause(url.hostname, Date.now() + Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
    answered();
    try {
      if (REDIRECT_STATUSES.has(statusCode)) {
        const location = header(headers, 'location');
        if (!location) throw new PermanentError(`fetch: HTTP ${statusCode} without Location (${href})`);
        await drain(body, DRAIN_BYTES, getOptions.signal);
        return { kind: 'redirect', location };
      }
      const cacheControl = header(headers, 'cache-control');
      if (statusCode === 304) {
        await drain(body, DRAIN_BYTES, getOptions.signal);
        return { kind: 'not-modified', cacheControl };
      }
      if (statusCode < 200 || statusCode > 299) {
        await drain(body, DRAIN_BYTES, getOptions.signal);
        throw statusError('fetch', statusCode, href, header(headers, 'retry-after'));
      }
      const contentType = header(headers, 'content-type') ?? '';
      const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
      if (!acceptable(getOptions.accept, mediaType)) throw new PermanentError(`fetch: skipped ${mediaType} (${href})`);
      const declaredLength = Number(header(headers, 'content-length'));
      const truncate = plan.truncateAt !== undefined;
      const maxBodyBytes = Math.min(options.maxBodyBytes, plan.truncateAt ?? Number.POSITIVE_INFINITY);
      if (!truncate && declaredLength > maxBodyBytes) throw overLimit(maxBodyBytes, href);
      const read = await readBody(body, header(headers, 'content-encoding'), { maxBodyBytes, deadlineMs: options.bodyTimeoutMs, truncate }, href);
      const validators: FetchValidators = {};
      const etag = header(headers, 'etag');
      const lastModified = header(headers, 'last-modified');
      if (etag) validators.etag = etag;
      if (lastModified) validators.lastModified = lastModified;
      return {
        kind: 'ok',
        statusCode,
        contentType,
        text: decodeBody(contentType, read.data),
        bytes: read.wireBytes,
        decodedBytes: read.data.length,
        validators,
        cacheControl,
      };
    } finally {
      // Reached with an unread body only when the response was refused: cut it rather than download it.
      discard(body);
    }
  }

  function fetchFailure(err: unknown, url: string): Error {
    const refused = err instanceof RefusedAddressError ? err : (err as { cause?: unknown } | undefined)?.cause;
    if (refused instanceof RefusedAddressError) return new PermanentError(`fetch: refusing private address ${refused.address} for ${url}`);
    return networkError('fetch', err, url, timeouts);
  }

  /** Refuses `target` when its origin's robots.txt disallows it, or cannot be read just now. */
  async function checkRobots(cache: RobotsCache, target: URL, trusted: boolean, signal: AbortSignal | undefined): Promise<void> {
    let verdict: RobotsVerdict;
    try {
      verdict = await cache.check(target, trusted, signal);
    } catch (err) {
      throw fetchFailure(err, target.href);
    }
    if (verdict.allowed) return;
    if (verdict.reason === 'disallowed') throw new PermanentError(`fetch: disallowed by robots.txt (${target.href})`);
    // Not permanent: the page itself may be fine, and robots.txt is asked again after retryInMs.
    throw new TransientError(`fetch: robots.txt unreachable (${verdict.problem}), disallowed for ${seconds(Math.ceil(verdict.retryInMs / 1000) * 1000)} (${target.href})`, {
      retryAfterMs: verdict.retryInMs,
    });
  }

  async function fetchUrl(url: string, getOptions: GetOptions, plan: FetchPlan): Promise<FetchOutcome> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const redirects: string[] = [];
    let current = httpUrl(url, '');
    for (;;) {
      // Configured URLs are the operator's choice; where they redirect to is not.
      const trusted = redirects.length === 0 && getOptions.trusted === true;
      const checked = !options.allowPrivateNetworks && !trusted;
      const target = current;
      const isRobotsTxt = target.pathname === '/robots.txt' && target.search === '';
      if (robots && plan.checkRobots && !isRobotsTxt) await checkRobots(robots, target, trusted, getOptions.signal);
      let outcome: HopOutcome;
      try {
        outcome = await withSlots(target, getOptions.signal, (answered) => hop(target, checked ? guarded : open, getOptions, plan, answered));
      } catch (err) {
        throw fetchFailure(err, target.href);
      }
      if (outcome.kind === 'not-modified') {
        return { result: { status: 'not-modified', url: target.href, bytes: 0, durationMs: elapsed() }, cacheControl: outcome.cacheControl };
      }
      if (outcome.kind === 'ok') {
        const { kind: _kind, cacheControl, ...result } = outcome;
        return { result: { status: 'ok', url: target.href, ...result, redirects, durationMs: elapsed() }, cacheControl };
      }
      redirects.push(target.href);
      let next: URL;
      try {
        next = new URL(outcome.location, target);
      } catch {
        throw new PermanentError(`fetch: invalid redirect Location ${outcome.location} (${target.href})`);
      }
      current = httpUrl(next.href, ` (from ${target.href})`);
      if (redirects.includes(current.href)) {
        throw new PermanentError(`fetch: redirect loop after ${redirects.length} redirects (${url})`);
      }
      if (redirects.length > options.maxRedirects) {
        throw new PermanentError(`fetch: too many redirects (${redirects.length}, limit ${options.maxRedirects}) (${url})`);
      }
    }
  }

  async function get(url: string, getOptions: GetOptions): Promise<FetchResult> {
    return (await fetchUrl(url, getOptions, { checkRobots: true })).result;
  }

  async function fetchRobots(robotsUrl: string, trusted: boolean, validators: FetchValidators | undefined): Promise<RobotsResponse> {
    const robotsOptions: GetOptions = validators ? { accept: 'any', trusted, validators } : { accept: 'any', trusted };
    const { result, cacheControl } = await fetchUrl(robotsUrl, robotsOptions, { checkRobots: false, truncateAt: ROBOTS_MAX_BYTES });
    if (result.status === 'not-modified') return { status: 'not-modified', cacheControl };
    return { status: 'ok', text: result.text, cacheControl, validators: result.validators };
  }

  async function postWebhook(url: string, body: string, headers: Record<string, string>, webhookOptions: WebhookOptions): Promise<WebhookResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const timeout = AbortSignal.timeout(webhookOptions.timeoutMs);
    const signal = webhookOptions.signal ? AbortSignal.any([timeout, webhookOptions.signal]) : timeout;
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return { ok: false, permanent: true, error: 'webhook: invalid URL', durationMs: elapsed() };
    }
    const label = webhookLabel(target);
    try {
      const response = await webhooks.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers: { 'user-agent': options.userAgent, 'content-type': 'application/json', ...headers },
        body,
        signal,
      });
      await drain(response.body, WEBHOOK_RESPONSE_BYTES, signal);
      const { statusCode } = response;
      if (statusCode >= 200 && statusCode <= 299) return { ok: true, statusCode, durationMs: elapsed() };
      if (statusCode >= 300 && statusCode <= 399) {
        return { ok: false, statusCode, permanent: true, error: `webhook: HTTP ${statusCode} redirect not followed (${label})`, durationMs: elapsed() };
      }
      const retryable = isRetryableStatus(statusCode);
      const failure: WebhookResult = { ok: false, statusCode, permanent: !retryable, error: `webhook: HTTP ${statusCode} (${label})`, durationMs: elapsed() };
      const retryAfterMs = retryable ? parseRetryAfter(header(response.headers, 'retry-after'), Date.now()) : undefined;
      if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
      return failure;
    } catch (err) {
      const error = timeout.aborted ? `webhook: timeout after ${seconds(webhookOptions.timeoutMs)} (${label})` : networkError('webhook', err, label, timeouts).message;
      return { ok: false, permanent: false, error, durationMs: elapsed() };
    }
  }

  let closing: Promise<void> | undefined;
  return {
    get,
    postWebhook,
    close() {
      // Shutdown paths may close twice; undici throws on a second close, so the first one is shared.
      closing ??= Promise.all([...new Set([open, guarded, webhooks])].map((agent) => agent.close())).then(() => undefined);
      return closing;
    },
  };
}
