import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { brotliCompressSync, constants as zlib, createBrotliCompress, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../src/errors.js';
import { createHttpClient, type FetchResult, type HttpClient } from '../../src/http/client.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { fetchOptions, fixture, rejection } from './support.js';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

let server: TestServer | undefined;
let client: HttpClient | undefined;
const requests: IncomingMessage[] = [];

/** A server answering by path, and a client trusting it (the SSRF guard has its own tests). */
async function setup(routes: Record<string, Route>, overrides: Parameters<typeof fetchOptions>[0] = {}): Promise<{ url: string; client: HttpClient }> {
  server = await startServer((req, res) => {
    requests.push(req);
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) route(req, res);
    else {
      res.statusCode = 404;
      res.end('no route');
    }
  });
  client = createHttpClient(fetchOptions({ allowPrivateNetworks: true, ...overrides }));
  return { url: server.url, client };
}

afterEach(async () => {
  requests.length = 0;
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

function ok(result: FetchResult): Extract<FetchResult, { status: 'ok' }> {
  if (result.status !== 'ok') throw new Error(`expected ok, got ${result.status}`);
  return result;
}

let feed: Buffer;
let page1252: Buffer;
let pageUtf8: Buffer;
beforeAll(async () => {
  [feed, page1252, pageUtf8] = await Promise.all([
    fixture('bolivia-feed.iso-8859-1.xml'),
    fixture('raisi-caracas.windows-1252.html'),
    fixture('managua-visit.utf8.html'),
  ]);
});

describe('get: conditional GET', () => {
  const etag = '"pa-mundo-20230720"';
  const lastModified = 'Thu, 20 Jul 2023 20:10:00 GMT';
  const routes: Record<string, Route> = {
    '/feed.xml': (req, res) => {
      if (req.headers['if-none-match'] === etag && req.headers['if-modified-since'] === lastModified) {
        res.writeHead(304, { etag });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag, 'last-modified': lastModified });
      res.end(feed);
    },
  };

  it('returns the text, sizes and validators, sending the configured headers', async () => {
    const { url, client } = await setup(routes, { userAgent: 'diplowatch-test/1.0' });
    const result = ok(await client.get(`${url}/feed.xml`, { accept: 'feed', trusted: true }));
    expect(result.statusCode).toBe(200);
    expect(result.url).toBe(`${url}/feed.xml`);
    expect(result.contentType).toBe('application/rss+xml');
    expect(result.validators).toEqual({ etag, lastModified });
    expect(result.bytes).toBe(feed.length);
    expect(result.decodedBytes).toBe(feed.length);
    expect(result.redirects).toEqual([]);
    expect(result.text).toContain('Bolivia e Irán firman un memorando');
    expect(result.text).toContain('Miguel Díaz-Canel');
    const sent = requests[0]?.headers;
    expect(sent?.['user-agent']).toBe('diplowatch-test/1.0');
    expect(sent?.['accept-encoding']).toBe('gzip, deflate, br');
    expect(sent?.accept).toMatch(/^application\/rss\+xml, application\/atom\+xml/);
    expect(sent?.['if-none-match']).toBeUndefined();
  });

  it('sends the validators back and reports 304 as not-modified', async () => {
    const { url, client } = await setup(routes);
    const result = await client.get(`${url}/feed.xml`, { accept: 'feed', trusted: true, validators: { etag, lastModified } });
    expect(result).toMatchObject({ status: 'not-modified', url: `${url}/feed.xml`, bytes: 0 });
    expect(requests[0]?.headers['if-none-match']).toBe(etag);
  });

  it('asks for the page again when a validator has changed', async () => {
    const { url, client } = await setup(routes);
    const result = await client.get(`${url}/feed.xml`, { accept: 'feed', trusted: true, validators: { etag: '"older"', lastModified } });
    expect(result.status).toBe('ok');
  });
});

describe('get: redirects', () => {
  const redirect = (status: number, location: string): Route => (_req, res) => {
    res.writeHead(status, { location });
    res.end(`moved to ${location}`);
  };
  const routes: Record<string, Route> = {
    '/old': redirect(301, '/middle'),
    '/middle': redirect(302, 'final?from=middle'),
    '/final': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pageUtf8);
    },
    '/loop-a': redirect(307, '/loop-b'),
    '/loop-b': redirect(308, '/loop-a'),
    '/self': redirect(301, '/self'),
    '/hop1': redirect(301, '/hop2'),
    '/hop2': redirect(301, '/hop3'),
    '/hop3': redirect(301, '/final'),
    '/to-ftp': redirect(302, 'ftp://files.example/feed.xml'),
    '/to-file': redirect(302, 'file:///etc/passwd'),
    '/no-location': (_req, res) => {
      res.writeHead(302);
      res.end();
    },
  };

  it('follows a chain, resolving relative Locations, and reports it', async () => {
    const { url, client } = await setup(routes);
    const result = ok(await client.get(`${url}/old`, { accept: 'html', trusted: true }));
    expect(result.url).toBe(`${url}/final?from=middle`);
    expect(result.redirects).toEqual([`${url}/old`, `${url}/middle`]);
    expect(result.text).toContain('Raisi meets Ortega in Managua');
  });

  it('refuses a loop, naming the chain length', async () => {
    const { url, client } = await setup(routes);
    const err = await rejection(client.get(`${url}/loop-a`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`fetch: redirect loop after 2 redirects (${url}/loop-a)`);
    const self = await rejection(client.get(`${url}/self`, { accept: 'html', trusted: true }));
    expect(self.message).toBe(`fetch: redirect loop after 1 redirects (${url}/self)`);
  });

  it('refuses more than maxRedirects hops, and allows exactly maxRedirects', async () => {
    const { url, client } = await setup(routes, { maxRedirects: 2 });
    const err = await rejection(client.get(`${url}/hop1`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`fetch: too many redirects (3, limit 2) (${url}/hop1)`);
    expect(requests.map((r) => r.url)).toEqual(['/hop1', '/hop2', '/hop3']);
    const two = ok(await client!.get(`${url}/hop2`, { accept: 'html', trusted: true }));
    expect(two.redirects).toHaveLength(2);
  });

  it('refuses redirects to non-http URLs', async () => {
    const { url, client } = await setup(routes);
    const ftp = await rejection(client.get(`${url}/to-ftp`, { accept: 'feed', trusted: true }));
    expect(ftp).toBeInstanceOf(PermanentError);
    expect(ftp.message).toBe(`fetch: refusing redirect to non-http URL ftp://files.example/feed.xml (from ${url}/to-ftp)`);
    const file = await rejection(client.get(`${url}/to-file`, { accept: 'feed', trusted: true }));
    expect(file.message).toMatch(/^fetch: refusing redirect to non-http URL file:\/\/\/etc\/passwd/);
  });

  it('refuses a redirect without Location, and a non-http first URL', async () => {
    const { url, client } = await setup(routes);
    const err = await rejection(client.get(`${url}/no-location`, { accept: 'html', trusted: true }));
    expect(err.message).toBe(`fetch: HTTP 302 without Location (${url}/no-location)`);
    const ftp = await rejection(client.get('ftp://files.example/feed.xml', { accept: 'feed' }));
    expect(ftp).toBeInstanceOf(PermanentError);
    expect(ftp.message).toBe('fetch: refusing non-http URL ftp://files.example/feed.xml');
  });
});

describe('get: status codes', () => {
  const status = (code: number, headers: Record<string, string> = {}): Route => (_req, res) => {
    res.writeHead(code, { 'content-type': 'text/html', ...headers });
    res.end(`<h1>${code}</h1>`);
  };
  const inAMinute = new Date(Math.ceil(Date.now() / 1000) * 1000 + 61_000).toUTCString();
  const routes: Record<string, Route> = {
    '/404': status(404),
    '/410': status(410),
    '/401': status(401),
    '/403': status(403),
    '/451': status(451),
    '/418': status(418),
    '/500': status(500),
    '/502': status(502),
    '/408': status(408),
    '/425': status(425),
    '/429': status(429, { 'retry-after': '120' }),
    '/503-date': status(503, { 'retry-after': inAMinute }),
    '/204': (_req, res) => {
      res.writeHead(204);
      res.end();
    },
  };

  it.each([404, 410, 401, 403, 451, 418])('HTTP %i is permanent', async (code) => {
    const { url, client } = await setup(routes);
    const err = await rejection(client.get(`${url}/${code}`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`fetch: HTTP ${code} (${url}/${code})`);
  });

  it.each([500, 502, 408, 425])('HTTP %i is transient', async (code) => {
    const { url, client } = await setup(routes);
    const err = await rejection(client.get(`${url}/${code}`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toBe(`fetch: HTTP ${code} (${url}/${code})`);
    expect((err as TransientError).retryAfterMs).toBeUndefined();
  });

  it('429 carries Retry-After in seconds', async () => {
    const { url, client } = await setup(routes);
    const err = await rejection(client.get(`${url}/429`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).retryAfterMs).toBe(120_000);
  });

  it('503 carries Retry-After given as an HTTP date', async () => {
    const { url, client } = await setup(routes);
    const err = await rejection(client.get(`${url}/503-date`, { accept: 'html', trusted: true }));
    const wait = (err as TransientError).retryAfterMs ?? -1;
    // The date is 61 s ahead of when the routes were built; seconds resolution and test run time shave a little.
    expect(wait).toBeGreaterThan(30_000);
    expect(wait).toBeLessThanOrEqual(62_000);
  });

  it('204 is ok with empty text', async () => {
    const { url, client } = await setup(routes);
    const result = ok(await client.get(`${url}/204`, { accept: 'any', trusted: true }));
    expect(result).toMatchObject({ statusCode: 204, text: '', bytes: 0, decodedBytes: 0 });
  });

  it('a closed port is a transient connection error', async () => {
    const closed = await startServer(() => undefined);
    const { url } = closed;
    await closed.close();
    const { client } = await setup(routes);
    const err = await rejection(client.get(`${url}/`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toBe(`fetch: connection refused (${url}/)`);
  });

  it('a server that drops the connection is a transient error', async () => {
    const { url, client } = await setup({ '/drop': (req) => req.socket.destroy() });
    const err = await rejection(client.get(`${url}/drop`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/^fetch: (connection closed by server|connection reset) \(http:\/\/127\.0\.0\.1:\d+\/drop\)$/);
  });
});

describe('get: content types', () => {
  const typed = (type: string | undefined, body: Buffer | string = '<html></html>'): Route => (_req, res) => {
    res.writeHead(200, type ? { 'content-type': type } : {});
    res.end(body);
  };
  const routes: Record<string, Route> = {
    '/report.pdf': (_req, res) => {
      // A PDF that would take forever to download: refusing it must not wait for the body.
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(3_000_000) });
      res.write('%PDF-1.7\n');
    },
    '/photo': typed('image/jpeg', Buffer.alloc(64)),
    '/blob': typed('application/octet-stream', Buffer.alloc(64)),
    '/feed-as-html': typed('text/html; charset=utf-8', '<rss version="2.0"><channel><title>Mundo</title></channel></rss>'),
    '/feed-as-plain': typed('text/plain', '<rss version="2.0"></rss>'),
    '/json-feed': typed('application/feed+json', '{"version":"https://jsonfeed.org/version/1.1","items":[]}'),
    '/atom': typed('application/atom+xml', '<feed xmlns="http://www.w3.org/2005/Atom"/>'),
    '/untyped': typed(undefined, '<p>no type</p>'),
    '/xhtml': typed('application/xhtml+xml; charset=utf-8', '<html xmlns="http://www.w3.org/1999/xhtml"/>'),
    '/rss': typed('application/rss+xml', '<rss/>'),
  };

  it('skips a PDF without reading its body', async () => {
    const { url, client } = await setup(routes);
    const err = await rejection(client.get(`${url}/report.pdf`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`fetch: skipped application/pdf (${url}/report.pdf)`);
  });

  it.each([
    ['/photo', 'image/jpeg'],
    ['/blob', 'application/octet-stream'],
  ])('skips %s (%s) for feeds and pages', async (path, type) => {
    const { url, client } = await setup(routes);
    for (const accept of ['feed', 'html'] as const) {
      const err = await rejection(client.get(`${url}${path}`, { accept, trusted: true }));
      expect(err.message).toBe(`fetch: skipped ${type} (${url}${path})`);
    }
  });

  it.each(['/feed-as-html', '/feed-as-plain', '/json-feed', '/atom', '/rss', '/untyped'])('reads %s as a feed', async (path) => {
    const { url, client } = await setup(routes);
    expect((await client.get(`${url}${path}`, { accept: 'feed', trusted: true })).status).toBe('ok');
  });

  it('reads HTML, XHTML and untyped pages as pages, but not an RSS document', async () => {
    const { url, client } = await setup(routes);
    for (const path of ['/feed-as-html', '/xhtml', '/untyped']) {
      expect((await client.get(`${url}${path}`, { accept: 'html', trusted: true })).status).toBe('ok');
    }
    const err = await rejection(client.get(`${url}/rss`, { accept: 'html', trusted: true }));
    expect(err.message).toBe(`fetch: skipped application/rss+xml (${url}/rss)`);
    expect((await client.get(`${url}/photo`, { accept: 'any', trusted: true })).status).toBe('ok');
  });
});

describe('get: charsets', () => {
  /** The text the client decodes from `body` served with `contentType`. */
  async function decoded(contentType: string, body: Buffer, accept: 'html' | 'feed' = 'html'): Promise<string> {
    const { url, client } = await setup({ '/doc': (_q, res) => res.writeHead(200, { 'content-type': contentType }).end(body) });
    return ok(await client.get(`${url}/doc`, { accept, trusted: true })).text;
  }

  it('decodes by the Content-Type charset', async () => {
    const text = await decoded('text/html; charset=windows-1252', page1252);
    expect(text).toContain('Bogotá: el concejo aprueba');
    expect(text).toContain('desde 2 € al mes');
  });

  it('decodes by <meta http-equiv> when the header has no charset', async () => {
    const text = await decoded('text/html', page1252);
    expect(text).toContain('Raisi llega a Caracas y abre su gira por América Latina');
    expect(text).not.toContain('\uFFFD');
  });

  it('decodes by the XML prolog', async () => {
    const text = await decoded('text/xml', feed, 'feed');
    expect(text).toContain('Raisi concluye en La Habana su gira latinoamericana');
    expect(text).toContain('Irán');
  });

  it('decodes UTF-8 by <meta charset>, Persian included', async () => {
    const text = await decoded('text/html', pageUtf8);
    expect(text).toContain('>ایران<');
    expect(text).toContain('Miguel Díaz-Canel');
  });
});

describe('get: compression', () => {
  const compressed = (encoding: string, body: Buffer): Route => (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': encoding });
    res.end(body);
  };

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate (raw, as some servers send it)', deflateRawSync],
    ['br', brotliCompressSync],
  ] as const)('decodes %s', async (label, compress) => {
    const body = compress(pageUtf8);
    const { url, client } = await setup({ '/c': compressed(label.split(' ')[0] ?? label, body) });
    const result = ok(await client.get(`${url}/c`, { accept: 'html', trusted: true }));
    expect(result.text).toBe(pageUtf8.toString('utf8'));
    expect(result.bytes).toBe(body.length);
    expect(result.decodedBytes).toBe(pageUtf8.length);
  });

  it('reports a compressed body cut off by the server as transient, not as undecodable', async () => {
    const body = gzipSync(Buffer.concat(Array.from({ length: 40 }, () => pageUtf8)));
    const { url, client } = await setup({
      '/cut': (req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': String(body.length) });
        res.write(body.subarray(0, body.length >> 1), () => req.socket.destroy());
      },
    });
    const err = await rejection(client.get(`${url}/cut`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/^fetch: (connection closed by server|connection reset) \(/);
  });

  it('refuses an unknown content-encoding', async () => {
    const { url, client } = await setup({ '/z': compressed('zstd-9000', Buffer.from('xx')) });
    const err = await rejection(client.get(`${url}/z`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`fetch: unsupported content-encoding zstd-9000 (${url}/z)`);
  });

  it('refuses a body that is not what its encoding says', async () => {
    const { url, client } = await setup({ '/bad': compressed('gzip', Buffer.from('this is not gzip at all, just text')) });
    const err = await rejection(client.get(`${url}/bad`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`fetch: cannot decode gzip body (${url}/bad)`);
  });
});

describe('get: size limits', () => {
  it('refuses a gzip bomb (50 MB of zeros) at the decoded limit', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 });
    const { url, client } = await setup({ '/bomb': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb) }, { maxBodyBytes: 1024 * 1024 });
    expect(bomb.length).toBeLessThan(1024 * 1024); // passes the Content-Length check: only decoding reveals it
    const err = await rejection(client.get(`${url}/bomb`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`fetch: body over 1 MB limit (${url}/bomb)`);
  });

  it('stops reading an endless brotli stream at the limit (a client that buffered all would never return)', async () => {
    let serverSawClose: Promise<boolean> = Promise.resolve(false);
    const { url, client } = await setup(
      {
        '/endless': (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'br' });
          const zeros = new Readable({ read() { this.push(Buffer.alloc(64 * 1024)); } });
          const brotli = createBrotliCompress({ params: { [zlib.BROTLI_PARAM_QUALITY]: 1 } });
          serverSawClose = new Promise((resolve) => {
            res.on('close', () => {
              zeros.destroy();
              brotli.destroy();
              resolve(!res.writableFinished);
            });
          });
          zeros.pipe(brotli).pipe(res);
        },
      },
      { maxBodyBytes: 2 * 1024 * 1024 },
    );
    const err = await rejection(client.get(`${url}/endless`, { accept: 'html', trusted: true }));
    expect(err.message).toBe(`fetch: body over 2 MB limit (${url}/endless)`);
    // The client hung up mid-stream: it did not keep draining the connection after refusing.
    expect(await serverSawClose).toBe(true);
  });

  it('refuses a Content-Length over the limit before reading', async () => {
    const { url, client } = await setup(
      {
        '/big': (_req, res) => {
          // Headers promise 6 MB, then nothing comes: only a client that trusts the header answers at once.
          res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(6 * 1024 * 1024) });
          res.write('<html>');
        },
      },
      { bodyTimeoutMs: 20_000 },
    );
    const err = await rejection(client.get(`${url}/big`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`fetch: body over 5 MB limit (${url}/big)`);
  });

  it('accepts a body exactly at the limit', async () => {
    const body = Buffer.alloc(4096, 'a');
    const { url, client } = await setup({ '/exact': (_q, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(body) }, { maxBodyBytes: 4096 });
    expect(ok(await client.get(`${url}/exact`, { accept: 'any', trusted: true })).decodedBytes).toBe(4096);
  });
});

describe('get: timeouts', () => {
  it('cuts a server trickling one byte every 200 ms at the body deadline', async () => {
    const { url, client } = await setup(
      {
        '/trickle': (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/html' });
          const timer = setInterval(() => res.write('x'), 200);
          res.on('close', () => clearInterval(timer));
        },
      },
      { bodyTimeoutMs: 700 },
    );
    const err = await rejection(client.get(`${url}/trickle`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toBe(`fetch: timeout after 0.7 s waiting for body (${url}/trickle)`);
  });

  it('gives up on a server that never sends headers', async () => {
    const { url, client } = await setup({ '/silent': () => undefined }, { headersTimeoutMs: 300 });
    const err = await rejection(client.get(`${url}/silent`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toBe(`fetch: timeout after 0.3 s waiting for headers (${url}/silent)`);
  });

  it('stops when the caller aborts', async () => {
    const { url, client } = await setup({ '/silent': () => undefined });
    const controller = new AbortController();
    const pending = rejection(client.get(`${url}/silent`, { accept: 'html', trusted: true, signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const err = await pending;
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toBe(`fetch: aborted (${url}/silent)`);
  });
});
