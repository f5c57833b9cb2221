/**
 * robots.txt per origin: fetched once, shared by concurrent callers, cached for its lifetime (RFC 9309 §2.4), and
 * turned into a verdict for one URL. A missing robots.txt (4xx) allows everything; an unreachable one (5xx,
 * network) disallows everything for a short while, then is asked again.
 */
import { PermanentError, TransientError } from '../errors.js';
import type { FetchValidators } from '../store/store.js';
import { parseRobots, type Robots } from './robots.js';

/** What fetching `/robots.txt` gave; errors are thrown (PermanentError or TransientError, as the client throws). */
export type RobotsResponse =
  | { status: 'ok'; text: string; cacheControl: string | undefined; validators: FetchValidators }
  | { status: 'not-modified'; cacheControl: string | undefined };

/** Fetches `robotsUrl`; `trusted` as in GetOptions; `validators` from the previous answer, for a conditional GET. */
export type RobotsFetcher = (robotsUrl: string, trusted: boolean, validators: FetchValidators | undefined) => Promise<RobotsResponse>;

/** Whether one URL may be fetched. */
export type RobotsVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'disallowed' }
  /** robots.txt could not be read; everything is disallowed until `retryInMs` from now. */
  | { allowed: false; reason: 'unreachable'; problem: string; retryInMs: number };

/** Lifetimes, in ms. */
export const ROBOTS_TTL_MS = 24 * 3_600_000;
export const ROBOTS_MIN_TTL_MS = 3_600_000;
export const ROBOTS_MAX_TTL_MS = 7 * 24 * 3_600_000;
/** RFC 9309 treats an unreachable robots.txt as "disallow all"; asking again this soon keeps a flaky one from stopping a source for a day. */
export const ROBOTS_RETRY_MS = 10 * 60_000;

type Rules = { kind: 'parsed'; robots: Robots; validators: FetchValidators } | { kind: 'allow-all' } | { kind: 'unreachable'; problem: string };
type Entry = Rules & { expiresAt: number };

/** The lifetime a robots.txt asks for with `Cache-Control: max-age`, kept within [1 h, 7 d]; 24 h when it says nothing. */
export function robotsTtlMs(cacheControl: string | undefined): number {
  const maxAge = /(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl ?? '')?.[1];
  if (maxAge === undefined) return ROBOTS_TTL_MS;
  return Math.min(ROBOTS_MAX_TTL_MS, Math.max(ROBOTS_MIN_TTL_MS, Number(maxAge) * 1000));
}

/** `fetch: HTTP 500 (https://…/robots.txt)` → `HTTP 500`: the problem without the module and URL around it. */
function problemOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^fetch: /, '').replace(/ \([^()]*\)$/, '');
}

/** Per-origin robots.txt rules for one User-Agent, at most `maxOrigins` kept (least recently used dropped). */
export class RobotsCache {
  // Map order is recency order, as in HostPacer.
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Entry>>();
  private readonly now: () => number;

  constructor(
    private readonly userAgent: string,
    private readonly fetcher: RobotsFetcher,
    private readonly maxOrigins: number,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  /** Whether `url` may be fetched; fetches the origin's robots.txt first when it is not cached or has expired. */
  async check(url: URL, trusted: boolean, signal?: AbortSignal): Promise<RobotsVerdict> {
    const entry = await this.entryFor(url.origin, trusted, signal);
    if (entry.kind === 'allow-all') return { allowed: true };
    if (entry.kind === 'unreachable') return { allowed: false, reason: 'unreachable', problem: entry.problem, retryInMs: Math.max(0, entry.expiresAt - this.now()) };
    return entry.robots.isAllowed(this.userAgent, `${url.pathname}${url.search}`) ? { allowed: true } : { allowed: false, reason: 'disallowed' };
  }

  /** The cached Crawl-delay of `origin` in ms, without fetching anything. */
  crawlDelayMs(origin: string): number | undefined {
    const entry = this.entries.get(origin);
    return entry?.kind === 'parsed' ? entry.robots.crawlDelayMs(this.userAgent) : undefined;
  }

  private async entryFor(origin: string, trusted: boolean, signal: AbortSignal | undefined): Promise<Entry> {
    const cached = this.entries.get(origin);
    if (cached && cached.expiresAt > this.now()) {
      this.entries.delete(origin);
      this.entries.set(origin, cached);
      return cached;
    }
    let load = this.pending.get(origin);
    if (!load) {
      // Not tied to the caller's signal: other callers share this fetch; each stops waiting on its own abort.
      load = this.load(origin, trusted, cached).finally(() => this.pending.delete(origin));
      this.pending.set(origin, load);
    }
    return signal ? abortable(load, signal) : load;
  }

  private async load(origin: string, trusted: boolean, previous: Entry | undefined): Promise<Entry> {
    const validators = previous?.kind === 'parsed' ? previous.validators : undefined;
    let entry: Entry;
    try {
      const response = await this.fetcher(`${origin}/robots.txt`, trusted, validators);
      const expiresAt = this.now() + robotsTtlMs(response.cacheControl);
      if (response.status === 'not-modified' && previous?.kind === 'parsed') entry = { ...previous, expiresAt };
      else if (response.status === 'ok') entry = { kind: 'parsed', robots: parseRobots(response.text), validators: response.validators, expiresAt };
      else entry = { kind: 'allow-all', expiresAt };
    } catch (err) {
      if (!(err instanceof PermanentError)) {
        // A host that said when to come back (Retry-After) is asked again then, if that is sooner.
        const retryAfterMs = err instanceof TransientError ? err.retryAfterMs : undefined;
        entry = { kind: 'unreachable', problem: problemOf(err), expiresAt: this.now() + Math.min(retryAfterMs ?? ROBOTS_RETRY_MS, ROBOTS_RETRY_MS) };
      } else if (err.message.startsWith('fetch: refusing')) {
        // The address guard refused robots.txt, so it will refuse the page too, with its own message; caching
        // "allow all" here would outlive that and wrongly cover a later trusted fetch of the same origin.
        return { kind: 'allow-all', expiresAt: 0 };
      } else {
        // RFC 9309 §2.3.1.3: 4xx (also 401/403) and too many redirects mean "no robots.txt": everything is allowed.
        entry = { kind: 'allow-all', expiresAt: this.now() + ROBOTS_TTL_MS };
      }
    }
    this.entries.delete(origin);
    this.entries.set(origin, entry);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxOrigins) break;
      this.entries.delete(key);
    }
    return entry;
  }
}

/** `promise`, or the signal's reason as soon as it aborts; the work behind `promise` continues either way. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
