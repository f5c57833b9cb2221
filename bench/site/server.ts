/**
 * Serves the benchmark site over node:http: feeds and article pages rendered on first request and cached,
 * keep-alive, gzip when asked for, ETag/Last-Modified with 304 answers, and counters of requests and bytes so a
 * benchmark can tell what a scan cost on the wire. Outlets may be spread over several loopback addresses
 * (127.0.0.1, 127.0.0.2, …) so a client's per-host limits see several hosts, as they would in production.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { generateBenchSite, publishBenchArticle, type BenchArticle, type BenchOutlet, type BenchSite, type BenchSiteOptions, type NewArticleOptions } from './generate.js';

/** Site options plus how to serve it. */
export interface BenchSiteServerOptions extends BenchSiteOptions {
  /** Loopback addresses to spread outlets over (outlet i on 127.0.0.(1 + i mod hosts)). @defaultValue 1 */
  hosts?: number;
  /** Compress responses for clients that accept gzip. @defaultValue true */
  gzip?: boolean;
  /** Keep the time of every feed request, per feed path (see `feedRequestTimes`). @defaultValue false */
  logFeedRequests?: boolean;
}

/** Counters since start (or the last `resetStats`). */
export interface BenchSiteStats {
  requests: number;
  feedRequests: number;
  articleRequests: number;
  /** 304 answers. */
  notModified: number;
  notFound: number;
  /** Response body bytes sent (compressed size when compressed). */
  bodyBytes: number;
  /** Everything written to sockets: status lines, headers and bodies. */
  wireBytes: number;
  connections: number;
}

/** A running benchmark site. */
export interface BenchSiteServer {
  site: BenchSite;
  /** `http://127.0.0.N:PORT` of an outlet. */
  outletBase(outlet: BenchOutlet): string;
  feedUrl(outlet: BenchOutlet): string;
  articleUrl(article: BenchArticle): string;
  /** Absolute URLs of the on-topic articles. */
  onTopicUrls(): string[];
  stats(): BenchSiteStats;
  resetStats(): void;
  /**
   * Publishes a new article at the top of an outlet while the site runs: its page is served and the outlet's feed
   * lists it (with a new ETag) from this call on. Returns the article, its URL and when it went live.
   */
  publish(outlet: BenchOutlet, options: Omit<NewArticleOptions, 'publishedAt'> & { publishedAt?: string }): { article: BenchArticle; url: string; publishedAtMs: number };
  /** With `logFeedRequests`: ms timestamps of the requests of each feed path, since start. */
  feedRequestTimes(): ReadonlyMap<string, readonly number[]>;
  close(): Promise<void>;
}

interface Resource {
  kind: 'feed' | 'article';
  contentType: string;
  body: Buffer;
  gzipped?: Buffer;
  etag: string;
  lastModified: string;
}

function emptyStats(): Omit<BenchSiteStats, 'wireBytes'> {
  return { requests: 0, feedRequests: 0, articleRequests: 0, notModified: 0, notFound: 0, bodyBytes: 0, connections: 0 };
}

/** Starts the site on port 0 of each loopback address; `close()` it when done. */
export async function startBenchSite(options: BenchSiteServerOptions): Promise<BenchSiteServer> {
  const site = generateBenchSite(options);
  const hosts = Math.max(1, Math.min(options.hosts ?? 1, 254));
  const gzip = options.gzip ?? true;
  const routes = new Map<string, { outlet: BenchOutlet; article?: BenchArticle }>();
  for (const outlet of site.outlets) {
    routes.set(outlet.feedPath, { outlet });
    for (const article of outlet.articles) routes.set(article.path, { outlet, article });
  }
  const cache = new Map<string, Resource>();
  let counters = emptyStats();
  const sockets = new Set<Socket>();
  let closedSocketBytes = 0;
  let wireBaseline = 0;
  const bases: string[] = [];
  const feedTimes = new Map<string, number[]>();
  const logFeeds = options.logFeedRequests ?? false;

  const outletBase = (outlet: BenchOutlet): string => bases[outlet.index % hosts] as string;

  function resource(path: string): Resource | undefined {
    const cached = cache.get(path);
    if (cached) return cached;
    const route = routes.get(path);
    if (!route) return undefined;
    const base = outletBase(route.outlet);
    const isFeed = route.article === undefined;
    const text = route.article ? site.renderArticle(route.article, base) : site.renderFeed(route.outlet, base);
    const body = Buffer.from(text, 'utf8');
    const published = route.article?.publishedAt ?? route.outlet.articles[0]?.publishedAt ?? new Date(site.options.now).toISOString();
    const made: Resource = {
      kind: isFeed ? 'feed' : 'article',
      contentType: isFeed ? (route.outlet.format === 'rss' ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8') : 'text/html; charset=utf-8',
      body,
      etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
      lastModified: new Date(published).toUTCString(),
    };
    cache.set(path, made);
    return made;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    counters.requests += 1;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const found = req.method === 'GET' || req.method === 'HEAD' ? resource(path) : undefined;
    if (!found) {
      counters.notFound += 1;
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '9' }).end('not found');
      return;
    }
    if (found.kind === 'feed') {
      counters.feedRequests += 1;
      if (logFeeds) {
        const times = feedTimes.get(path);
        if (times) times.push(Date.now());
        else feedTimes.set(path, [Date.now()]);
      }
    } else counters.articleRequests += 1;
    const headers: Record<string, string> = { 'content-type': found.contentType, etag: found.etag, 'last-modified': found.lastModified, 'cache-control': 'max-age=60', vary: 'accept-encoding' };
    const ifNoneMatch = req.headers['if-none-match'];
    const ifModifiedSince = req.headers['if-modified-since'];
    const unchanged =
      ifNoneMatch !== undefined
        ? ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === found.etag || tag.trim() === '*')
        : ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= Date.parse(found.lastModified);
    if (unchanged) {
      counters.notModified += 1;
      res.writeHead(304, headers).end();
      return;
    }
    let body = found.body;
    if (gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      found.gzipped ??= gzipSync(found.body);
      body = found.gzipped;
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    counters.bodyBytes += body.length;
    res.end(body);
  }

  const servers: Server[] = [];
  try {
    for (let i = 0; i < hosts; i++) {
      const server = createServer(handle);
      // Longer than any poll interval in a benchmark, so a second scan reuses the connections of the first.
      server.keepAliveTimeout = 60_000;
      server.on('connection', (socket: Socket) => {
        counters.connections += 1;
        sockets.add(socket);
        socket.on('close', () => {
          sockets.delete(socket);
          closedSocketBytes += socket.bytesWritten;
        });
      });
      const address = `127.0.0.${i + 1}`;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, address, () => resolve());
      });
      servers.push(server);
      bases.push(`http://${address}:${(server.address() as AddressInfo).port}`);
    }
  } catch (err) {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    throw err;
  }

  const wireTotal = (): number => closedSocketBytes + [...sockets].reduce((sum, socket) => sum + socket.bytesWritten, 0);
  const articleUrl = (article: BenchArticle): string => `${outletBase(site.outlets[article.outletIndex] as BenchOutlet)}${article.path}`;

  return {
    site,
    outletBase,
    feedUrl: (outlet) => `${outletBase(outlet)}${outlet.feedPath}`,
    articleUrl,
    onTopicUrls: () => site.articles.filter((article) => article.onTopic).map(articleUrl),
    stats: () => ({ ...counters, wireBytes: wireTotal() - wireBaseline }),
    resetStats: () => {
      counters = emptyStats();
      wireBaseline = wireTotal();
    },
    publish: (outlet, publishOptions) => {
      const publishedAtMs = Date.now();
      const article = publishBenchArticle(site, outlet, { ...publishOptions, publishedAt: publishOptions.publishedAt ?? new Date(publishedAtMs).toISOString() });
      routes.set(article.path, { outlet, article });
      // The feed is rendered again on its next request, with a new body and so a new ETag.
      cache.delete(outlet.feedPath);
      return { article, url: articleUrl(article), publishedAtMs };
    },
    feedRequestTimes: () => feedTimes,
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
