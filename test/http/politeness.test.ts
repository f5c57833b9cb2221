import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors.js';
import { HostPacer, HostPausedError } from '../../src/http/pacer.js';
import type { TestServer } from '../helpers/http.js';
import { fetchOptions, rejection, testResources } from './support.js';

/** Lower bounds measured on the server may lose a little to timer rounding; never more than this. */
const SLACK_MS = 5;

interface Arrival {
  path: string;
  at: number;
}

/** A server recording when each request arrived (epoch ms, on the server), answering with `answer` or 200. */
async function recordingServer(answer?: (req: IncomingMessage, res: ServerResponse) => boolean): Promise<TestServer & { arrivals: Arrival[]; starts: (path: string) => number[] }> {
  const arrivals: Arrival[] = [];
  const server = await use.server((req, res) => {
    arrivals.push({ path: req.url ?? '/', at: performance.timeOrigin + performance.now() });
    if (answer?.(req, res)) return;
    res.writeHead(200, { 'content-type': 'text/html' }).end('<p>ok</p>');
  });
  return { ...server, arrivals, starts: (path) => arrivals.filter((a) => a.path.startsWith(path)).map((a) => a.at) };
}

/** The same server under the host name `localhost`: another host as far as pacing is concerned. */
function viaLocalhost(url: string): string {
  return url.replace('127.0.0.1', 'localhost');
}

function gaps(times: number[]): number[] {
  const sorted = [...times].sort((x, y) => x - y);
  return sorted.slice(1).map((t, i) => t - (sorted[i] ?? t));
}

const use = testResources();

describe('per-host delay', () => {
  it('starts two requests to one host at least minDelayMs apart, even when concurrency would allow both', async () => {
    const server = await recordingServer();
    const client = use.client(fetchOptions({ minDelayMs: 200, perHostConcurrency: 4 }));
    const results = await Promise.all([1, 2, 3].map((i) => client.get(`${server.url}/nota/${i}`, { accept: 'html', trusted: true })));
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    const measured = gaps(server.starts('/nota/'));
    expect(measured).toHaveLength(2);
    for (const gap of measured) expect(gap).toBeGreaterThanOrEqual(200 - SLACK_MS);
  });

  it('does not delay requests to a different host', async () => {
    const slow = await recordingServer();
    const other = await recordingServer();
    const client = use.client(fetchOptions({ minDelayMs: 400 }));
    await client.get(`${slow.url}/a`, { accept: 'html', trusted: true });
    // The second request to `slow` must wait 400 ms; the one to `other` must not queue behind it.
    const order: string[] = [];
    await Promise.all([
      client.get(`${slow.url}/b`, { accept: 'html', trusted: true }).then(() => order.push('slow')),
      client.get(`${viaLocalhost(other.url)}/a`, { accept: 'html', trusted: true }).then(() => order.push('other')),
    ]);
    expect(order).toEqual(['other', 'slow']);
    expect(gaps(slow.starts('/'))[0]).toBeGreaterThanOrEqual(400 - SLACK_MS);
  });

  it('paces one host name across ports, like the connection limit', async () => {
    const a = await recordingServer();
    const b = await recordingServer();
    const client = use.client(fetchOptions({ minDelayMs: 200 }));
    await Promise.all([a.url, b.url].map((url) => client.get(`${url}/nota`, { accept: 'html', trusted: true })));
    const [gap] = gaps([...a.starts('/'), ...b.starts('/')]);
    expect(gap).toBeGreaterThanOrEqual(200 - SLACK_MS);
  });

  it('raises the gap to the robots.txt Crawl-delay when it is longer', async () => {
    const server = await recordingServer((req, res) => {
      if (req.url !== '/robots.txt') return false;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nCrawl-delay: 0.3\nDisallow: /privado/\n');
      return true;
    });
    const client = use.client(fetchOptions({ minDelayMs: 50, respectRobots: true }));
    await Promise.all([1, 2].map((i) => client.get(`${server.url}/nota/${i}`, { accept: 'html', trusted: true })));
    expect(server.arrivals.map((a) => a.path)).toEqual(['/robots.txt', '/nota/1', '/nota/2']);
    const [robotsAt, firstAt, secondAt] = server.arrivals.map((a) => a.at);
    // robots.txt itself counts as a request to the host, spaced by minDelayMs (its Crawl-delay was not known yet).
    expect((firstAt ?? 0) - (robotsAt ?? 0)).toBeGreaterThanOrEqual(50 - SLACK_MS);
    expect((secondAt ?? 0) - (firstAt ?? 0)).toBeGreaterThanOrEqual(300 - SLACK_MS);
  });
});

describe('Retry-After', () => {
  it('holds the next request to the host until Retry-After, not requests to another host', async () => {
    let limited = true;
    const busy = await recordingServer((_req, res) => {
      if (!limited) return false;
      limited = false;
      res.writeHead(429, { 'retry-after': '1' }).end('slow down');
      return true;
    });
    const other = await recordingServer();
    const client = use.client(fetchOptions());
    const err = await rejection(client.get(`${busy.url}/feed`, { accept: 'any', trusted: true }));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).retryAfterMs).toBe(1000);

    const order: string[] = [];
    await Promise.all([
      client.get(`${busy.url}/feed`, { accept: 'any', trusted: true }).then(() => order.push('busy')),
      client.get(`${viaLocalhost(other.url)}/feed`, { accept: 'any', trusted: true }).then(() => order.push('other')),
    ]);
    expect(order).toEqual(['other', 'busy']);
    expect(busy.arrivals).toHaveLength(2);
    expect(gaps(busy.starts('/'))[0]).toBeGreaterThanOrEqual(1000 - SLACK_MS);
  });

  it('does not pause the host on a 500, even with Retry-After', async () => {
    let failed = false;
    const server = await recordingServer((_req, res) => {
      if (failed) return false;
      failed = true;
      res.writeHead(500, { 'retry-after': '1800' }).end();
      return true;
    });
    const client = use.client(fetchOptions());
    const first = await rejection(client.get(`${server.url}/x`, { accept: 'any', trusted: true }));
    // The error still carries the server's wish, for the queue's retry of this one request.
    expect((first as TransientError).retryAfterMs).toBe(1_800_000);
    expect((await client.get(`${server.url}/y`, { accept: 'any', trusted: true })).status).toBe('ok');
    expect(server.arrivals.map((a) => a.path)).toEqual(['/x', '/y']);
  });

  it('fails at once, as retryable, while a host asked for a long pause; the request never reaches the host', async () => {
    const busy = await recordingServer((_req, res) => {
      res.writeHead(429, { 'retry-after': '1800' }).end();
      return true;
    });
    const client = use.client(fetchOptions());
    const first = await rejection(client.get(`${busy.url}/a`, { accept: 'any', trusted: true }));
    expect((first as TransientError).retryAfterMs).toBe(1_800_000);
    const second = await rejection(client.get(`${busy.url}/b`, { accept: 'any', trusted: true }));
    expect(second).toBeInstanceOf(TransientError);
    expect(second.message).toMatch(/^fetch: 127\.0\.0\.1 asked to wait \(Retry-After\), \d+ s left \(http:\/\/127\.0\.0\.1:\d+\/b\)$/);
    expect((second as TransientError).retryAfterMs).toBeGreaterThan(1_700_000);
    expect((second as TransientError).retryAfterMs).toBeLessThanOrEqual(1_800_000);
    expect(busy.arrivals.map((a) => a.path)).toEqual(['/a']);
  });

  it('caps a pause at one hour', async () => {
    const busy = await recordingServer((_req, res) => {
      res.writeHead(503, { 'retry-after': '86400' }).end();
      return true;
    });
    const client = use.client(fetchOptions());
    await rejection(client.get(`${busy.url}/a`, { accept: 'any', trusted: true }));
    const second = await rejection(client.get(`${busy.url}/b`, { accept: 'any', trusted: true }));
    expect((second as TransientError).retryAfterMs).toBeLessThanOrEqual(3_600_000);
    expect((second as TransientError).retryAfterMs).toBeGreaterThan(3_500_000);
  });
});

describe('HostPacer', () => {
  it('grants turns in arrival order, one start at a time', async () => {
    const pacer = new HostPacer({ maxHosts: 10, maxPauseWaitMs: 60_000 });
    const order: number[] = [];
    const first = await pacer.turn('a');
    const waiting = [1, 2].map((i) =>
      pacer.turn('a').then((turn) => {
        order.push(i);
        turn.done(0);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Nobody passes while the first turn is granted but not started.
    expect(order).toEqual([]);
    first.done(0);
    await Promise.all(waiting);
    expect(order).toEqual([1, 2]);
  });

  it('lets the next waiter go when a turn is cancelled or a waiter aborts', async () => {
    const pacer = new HostPacer({ maxHosts: 10, maxPauseWaitMs: 60_000 });
    const first = await pacer.turn('a');
    const controller = new AbortController();
    const aborted = pacer.turn('a', controller.signal);
    const next = pacer.turn('a');
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
    first.cancel();
    (await next).done(0);
  });

  it('fails waiters at once when a long pause is set', async () => {
    const pacer = new HostPacer({ maxHosts: 10, maxPauseWaitMs: 1000 });
    const first = await pacer.turn('a');
    const waiter = pacer.turn('a');
    pacer.pause('a', Date.now() + 5000);
    first.done(0);
    await expect(waiter).rejects.toBeInstanceOf(HostPausedError);
    await expect(pacer.turn('a')).rejects.toBeInstanceOf(HostPausedError);
    // Another host is unaffected.
    (await pacer.turn('b')).done(0);
  });

  it('remembers at most maxHosts idle hosts', async () => {
    const pacer = new HostPacer({ maxHosts: 3, maxPauseWaitMs: 60_000 });
    for (let i = 0; i < 50; i += 1) (await pacer.turn(`host-${i}.example`)).done(60_000);
    expect(pacer.size).toBe(3);
  });

  it('keeps a busy host even past maxHosts', async () => {
    const pacer = new HostPacer({ maxHosts: 2, maxPauseWaitMs: 60_000 });
    const held = await pacer.turn('busy.example');
    for (let i = 0; i < 5; i += 1) (await pacer.turn(`host-${i}.example`)).done(0);
    // Were busy.example forgotten, a new turn would be granted at once instead of waiting for `held`.
    let granted = false;
    const next = pacer.turn('busy.example').then((turn) => {
      granted = true;
      turn.done(0);
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(granted).toBe(false);
    held.done(0);
    await next;
    expect(granted).toBe(true);
  });
});
