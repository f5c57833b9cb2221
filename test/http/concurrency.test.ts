import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { KeyedSemaphore, Semaphore } from '../../src/http/semaphore.js';
import { fetchOptions, testResources } from './support.js';

/** Counts requests in flight across every server built from it; answers are held until `release`. */
function inFlightCounter() {
  let now = 0;
  let max = 0;
  let served = 0;
  const held: ServerResponse[] = [];
  return {
    get max() {
      return max;
    },
    get served() {
      return served;
    },
    held,
    arrive(res: ServerResponse) {
      now += 1;
      max = Math.max(max, now);
      res.on('finish', () => {
        now -= 1;
        served += 1;
      });
      held.push(res);
    },
    releaseAll() {
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    },
  };
}

const use = testResources();

describe('concurrency limits', () => {
  it('keeps at most perHostConcurrency requests in flight to one host, and reaches it', async () => {
    const counter = inFlightCounter();
    // A barrier: answers go out only once 3 requests wait. A client allowing fewer than 3 would hang here.
    const server = await use.server((_req, res) => {
      counter.arrive(res);
      if (counter.held.length === 3) counter.releaseAll();
    });
    const c = use.client(fetchOptions({ perHostConcurrency: 3, concurrency: 10 }));
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => c.get(`${server.url}/item/${i}`, { accept: 'any', trusted: true })));
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(counter.served).toBe(9);
    expect(counter.max).toBe(3);
  });

  it('counts one host across ports (politeness is per host name, not per connection pool)', async () => {
    const counter = inFlightCounter();
    const handler = (_req: unknown, res: ServerResponse): void => {
      counter.arrive(res);
      setTimeout(() => counter.releaseAll(), 20);
    };
    const a = await use.server(handler);
    const b = await use.server(handler);
    const c = use.client(fetchOptions({ perHostConcurrency: 1, concurrency: 10 }));
    const urls = [a.url, b.url, a.url, b.url, a.url, b.url];
    await Promise.all(urls.map((u, i) => c.get(`${u}/${i}`, { accept: 'any', trusted: true })));
    expect(counter.served).toBe(6);
    expect(counter.max).toBe(1);
  });

  it('keeps at most `concurrency` requests in flight over all hosts', async () => {
    const counter = inFlightCounter();
    const server = await use.server((_req, res) => {
      counter.arrive(res);
      setTimeout(() => counter.releaseAll(), 20);
    });
    const port = new URL(server.url).port;
    const c = use.client(fetchOptions({ perHostConcurrency: 4, concurrency: 2, allowHosts: ['localhost'] }));
    // 127.0.0.1 and localhost are two host names for the per-host limit, one server for the count.
    const urls = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? `${server.url}/${i}` : `http://localhost:${port}/${i}`));
    await Promise.all(urls.map((u) => c.get(u, { accept: 'any', trusted: true })));
    expect(counter.served).toBe(8);
    expect(counter.max).toBeLessThanOrEqual(2);
  });
});

describe('Semaphore', () => {
  it('hands slots out first come, first served', async () => {
    const semaphore = new Semaphore(1);
    const order: string[] = [];
    const first = await semaphore.acquire();
    const waiting = ['b', 'c'].map((name) => semaphore.acquire().then((release) => {
      order.push(name);
      release();
    }));
    expect(order).toEqual([]);
    first();
    first(); // a second call must not free a second slot
    await Promise.all(waiting);
    expect(order).toEqual(['b', 'c']);
    expect(semaphore.idle).toBe(true);
  });

  it('drops a waiter whose signal aborts, and keeps the slot count right', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const aborted = semaphore.acquire(controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(aborted).rejects.toThrow('shutting down');
    held();
    expect(semaphore.idle).toBe(true);
    const again = await semaphore.acquire();
    expect(semaphore.idle).toBe(false);
    again();
  });
});

describe('KeyedSemaphore', () => {
  it('limits per key and forgets idle keys', async () => {
    const keyed = new KeyedSemaphore(1);
    const a = await keyed.acquire('a.example');
    const b = await keyed.acquire('b.example');
    expect(keyed.size).toBe(2);
    let secondA = false;
    const pending = keyed.acquire('a.example').then((release) => {
      secondA = true;
      return release;
    });
    await Promise.resolve();
    expect(secondA).toBe(false);
    a();
    const release = await pending;
    expect(secondA).toBe(true);
    release();
    b();
    expect(keyed.size).toBe(0);
  });
});
