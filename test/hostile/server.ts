import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBrotliCompress, createGzip } from 'node:zlib';
import { startServer, type TestServer } from '../helpers/http.js';

/** A route of the misbehaving server. */
export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A local server that misbehaves on purpose, one route per case, counting requests per path. */
export interface HostileServer extends TestServer {
  hits: Map<string, number>;
  route(path: string, handler: Route): void;
}

/** Starts a hostile server; unknown paths get a 404. Timers a route starts should stop when the request closes. */
export async function startHostileServer(): Promise<HostileServer> {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const server = await startServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    handler(req, res);
  });
  return { ...server, hits, route: (path, handler) => routes.set(path, handler) };
}

/** An RSS 2.0 feed whose items link to `links` (titles are made up from the path). */
export function rssLinking(links: string[], extraItems = ''): string {
  const items = links
    .map(
      (link, i) => `    <item>
      <title>Item ${i + 1}: ${new URL(link).pathname}</title>
      <link>${link}</link>
      <guid>${link}</guid>
      <pubDate>Wed, 14 Jun 2023 1${i % 10}:00:00 GMT</pubDate>
    </item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Hostile outlet</title><link>http://example.invalid/</link><description>test</description>
${items}
${extraItems}
</channel></rss>
`;
}

/**
 * `decodedBytes` of `prefix` followed by spaces, gzip- or brotli-compressed without ever holding the decoded
 * bytes in memory (the compressed result is a few hundred KB at most).
 */
export async function compressionBomb(kind: 'gzip' | 'br', decodedBytes: number, prefix: string): Promise<Buffer> {
  const stream = kind === 'gzip' ? createGzip({ level: 9 }) : createBrotliCompress();
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  stream.write(prefix);
  for (let written = prefix.length; written < decodedBytes; written += chunk.length) {
    if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
  }
  stream.end();
  await done;
  return Buffer.concat(out);
}

/** Serves `body` compressed with `encoding`, labelled as `contentType`. */
export function serveCompressed(body: Buffer, encoding: 'gzip' | 'br', contentType: string): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-encoding': encoding, 'content-length': body.length });
    res.end(body);
  };
}

/** Sends headers, then one byte of `text` every `everyMs`; stops when the client goes away. */
export function trickle(text: string, everyMs: number, contentType: string): Route {
  return (req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    let at = 0;
    const timer = setInterval(() => {
      if (at >= text.length) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(text.slice(at, at + 1));
      at += 1;
    }, everyMs);
    req.socket.on('close', () => clearInterval(timer));
  };
}

/**
 * Streams `totalBytes` of filler with `contentType` in 64 KB chunks, and counts what it actually wrote
 * (`sent.bytes`), so a test can tell that the client cut the download short.
 */
export function streamed(totalBytes: number, contentType: string, sent: { bytes: number }, withLength = true): Route {
  return (req, res) => {
    res.writeHead(200, withLength ? { 'content-type': contentType, 'content-length': totalBytes } : { 'content-type': contentType });
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let closed = false;
    req.socket.on('close', () => (closed = true));
    const pump = (): void => {
      while (!closed && sent.bytes < totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, totalBytes - sent.bytes));
        sent.bytes += piece.length;
        if (!res.write(piece)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  };
}
