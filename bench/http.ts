/**
 * HTTP client benchmark: `npx tsx bench/http.ts [--requests N]`. A local server answers with the test fixtures
 * (a windows-1252 article page, gzip; an ISO-8859-1 feed, brotli; a 304), and the client fetches them with the
 * default limits (8 in flight, 2 per host) and with 8 per host. Prints requests per second and p50/p95 ms, so the
 * number can be set against the design's 33 feed fetches a second. All requests start at once, so p50/p95 include the
 * wait for a slot. Loopback only: it measures our overhead
 * (pool, semaphores, decoding, charset), not the network.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { configSchema } from '../src/config/schema.js';
import { createHttpClient, type GetOptions } from '../src/http/client.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../test/fixtures/http/${name}`, import.meta.url));
const requestsArg = process.argv.indexOf('--requests');
const total = requestsArg > 0 ? Number(process.argv[requestsArg + 1]) : 2000;

const page = gzipSync(fixture('raisi-caracas.windows-1252.html'));
const feed = brotliCompressSync(fixture('bolivia-feed.iso-8859-1.xml'));

const server = createServer((req, res) => {
  if (req.url === '/article') res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(page);
  else if (req.headers['if-none-match'] === '"v1"') res.writeHead(304).end();
  else res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'br', etag: '"v1"' }).end(feed);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function run(label: string, path: string, options: GetOptions, perHostConcurrency: number): Promise<void> {
  const client = createHttpClient(configSchema.parse({ fetch: { perHostConcurrency } }).fetch);
  const durations: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: total }, async () => {
      const t0 = performance.now();
      await client.get(`${base}${path}`, options);
      durations.push(performance.now() - t0);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  durations.sort((a, b) => a - b);
  const fmt = (n: number): string => n.toFixed(2);
  console.log(`${label.padEnd(40)} ${Math.round(total / seconds).toString().padStart(6)} req/s   p50 ${fmt(percentile(durations, 50))} ms   p95 ${fmt(percentile(durations, 95))} ms`);
}

console.log(`${total} requests each, node ${process.version}`);
for (const perHost of [2, 8]) {
  await run(`article, gzip, windows-1252 (${perHost}/host)`, '/article', { accept: 'html', trusted: true }, perHost);
  await run(`feed, brotli, ISO-8859-1 (${perHost}/host)`, '/feed', { accept: 'feed', trusted: true }, perHost);
  await run(`feed, conditional GET → 304 (${perHost}/host)`, '/feed', { accept: 'feed', trusted: true, validators: { etag: '"v1"' } }, perHost);
}
server.close();
