import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Where the demo pages live: `demo/pages/` at the project root. */
export const DEMO_PAGES_DIR = fileURLToPath(new URL('../../demo/pages/', import.meta.url));

/** One article of the demo site. */
export interface DemoArticle {
  /** Path on the demo site, e.g. `/mayadeen/articles/iran-venezuela-ties`. */
  path: string;
  /** File under `demo/pages/`. */
  file: string;
  title: string;
  publishedAt: string;
  /** Whether it is an Iran–Latin America diplomacy story (for the tests and the demo's expectations). */
  onTopic: boolean;
}

/** One outlet of the demo site: an RSS feed, an Atom feed, or a section page without a feed. */
export interface DemoOutlet {
  id: string;
  name: string;
  kind: 'rss' | 'atom' | 'listing';
  articles: DemoArticle[];
}

/**
 * The demo outlets: two on-topic stories (the June 2023 Iran–Venezuela agreements in Caracas, reported by two
 * outlets from different angles; the July 2023 Iran–Bolivia defence memorandum) among hard negatives whose
 * pages mention Iran only in tickers, sidebars and related-link boxes.
 */
export const DEMO_OUTLETS: readonly DemoOutlet[] = [
  {
    id: 'demo-wire',
    name: 'Demo Wire (RSS)',
    kind: 'rss',
    articles: [
      { path: '/wire/world/americas/iran-venezuela-agreements', file: 'independent-ap-venezuela-iran.html', title: 'Iran and Venezuela sign agreements as Raisi visits Caracas', publishedAt: '2023-06-12T18:40:00Z', onTopic: true },
      { path: '/wire/world/middle-east/iran-nuclear-talks', file: 'independent-iran-nuclear.html', title: 'Iran nuclear talks stall again', publishedAt: '2023-06-12T09:15:00Z', onTopic: false },
    ],
  },
  {
    id: 'demo-levant',
    name: 'Demo Levant (Atom)',
    kind: 'atom',
    articles: [
      { path: '/levant/news/iran-venezuela-ties', file: 'almayadeen-iran-venezuela-ties.html', title: 'Tehran and Caracas deepen ties', publishedAt: '2023-06-13T07:05:00Z', onTopic: true },
      { path: '/levant/news/venezuela-power-cuts', file: 'almayadeen-venezuela-power-cuts.html', title: 'Power cuts in Venezuela', publishedAt: '2023-06-13T10:30:00Z', onTopic: false },
    ],
  },
  {
    id: 'demo-sur',
    name: 'Demo Sur (section page)',
    kind: 'listing',
    articles: [
      { path: '/sur/noticias/2023/07/20/bolivia-iran-memorando', file: 'telesur-es-bolivia-iran.html', title: 'Bolivia e Irán firman un memorando de defensa', publishedAt: '2023-07-20T14:05:00Z', onTopic: true },
      { path: '/sur/noticias/2023/07/21/pagina-rota', file: 'all-script.html', title: 'Página sin artículo', publishedAt: '2023-07-21T08:00:00Z', onTopic: false },
    ],
  },
];

/** A running demo site. */
export interface DemoSite {
  url: string;
  /** Feed or section URL of each outlet, by outlet id. */
  sourceUrls: Record<string, string>;
  /** Article URLs matched by `articlePattern` on the section page. */
  listingPattern: string;
  /** Requests served, by path (tests use it to check what was fetched). */
  hits: Map<string, number>;
  /** Adds an article to an outlet while the site runs (the demo uses it to show a story breaking). */
  publish(outletId: string, article: DemoArticle): void;
  close(): Promise<void>;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function rss(outlet: DemoOutlet, base: string): string {
  const items = outlet.articles
    .map(
      (a) => `    <item>
      <title>${escapeXml(a.title)}</title>
      <link>${base}${a.path}</link>
      <guid isPermaLink="true">${base}${a.path}</guid>
      <pubDate>${new Date(a.publishedAt).toUTCString()}</pubDate>
    </item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>${escapeXml(outlet.name)}</title>
    <link>${base}/</link>
    <description>Demo outlet for diplowatch</description>
${items}
  </channel>
</rss>
`;
}

function atom(outlet: DemoOutlet, base: string): string {
  const entries = outlet.articles
    .map(
      (a) => `  <entry>
    <title>${escapeXml(a.title)}</title>
    <link rel="alternate" type="text/html" href="${base}${a.path}"/>
    <id>tag:demo.diplowatch,2023:${a.path}</id>
    <published>${a.publishedAt}</published>
    <updated>${a.publishedAt}</updated>
  </entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>${escapeXml(outlet.name)}</title>
  <id>tag:demo.diplowatch,2023:${outlet.id}</id>
  <updated>2023-07-21T08:00:00Z</updated>
  <link rel="alternate" href="${base}/"/>
${entries}
</feed>
`;
}

function listing(outlet: DemoOutlet): string {
  const links = outlet.articles.map((a) => `      <li><a href="${a.path}"><h3>${escapeXml(a.title)}</h3></a></li>`).join('\n');
  return `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>${escapeXml(outlet.name)} — Noticias</title></head>
<body>
  <nav><a href="/sur/">Portada</a> <a href="/sur/seccion/iran">Irán</a> <a href="/sur/seccion/america-latina">América Latina</a></nav>
  <main>
    <h1>Últimas noticias</h1>
    <ul>
${links}
    </ul>
  </main>
  <footer><a href="/sur/contacto">Contacto</a></footer>
</body></html>
`;
}

function home(outlets: readonly DemoOutlet[], base: string): string {
  const feeds = outlets
    .filter((outlet) => outlet.kind !== 'listing')
    .map((outlet) => `  <link rel="alternate" type="application/${outlet.kind === 'atom' ? 'atom' : 'rss'}+xml" title="${escapeXml(outlet.name)}" href="${base}/${outlet.id}/feed">`)
    .join('\n');
  const links = outlets.map((outlet) => `      <li><a href="/${outlet.id}/${outlet.kind === 'listing' ? 'section' : 'feed'}">${escapeXml(outlet.name)}</a></li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>diplowatch demo outlets</title>
${feeds}
</head>
<body>
  <h1>Demo outlets</h1>
  <ul>
${links}
  </ul>
</body></html>
`;
}

/** Starts the demo site on 127.0.0.1 and a free port. */
export async function startDemoSite(outlets: readonly DemoOutlet[] = DEMO_OUTLETS): Promise<DemoSite> {
  const live = outlets.map((outlet) => ({ ...outlet, articles: [...outlet.articles] }));
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const base = `http://${req.headers.host ?? '127.0.0.1'}`;
    void (async () => {
      if (path === '/') {
        // A home page announcing the feeds, as outlets do, so `diplowatch sources add` can find them.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(home(live, base));
        return;
      }
      for (const outlet of live) {
        if (path === `/${outlet.id}/feed`) {
          const body = outlet.kind === 'atom' ? atom(outlet, base) : rss(outlet, base);
          res.writeHead(200, { 'content-type': outlet.kind === 'atom' ? 'application/atom+xml; charset=utf-8' : 'application/rss+xml; charset=utf-8' });
          res.end(body);
          return;
        }
        if (path === `/${outlet.id}/section`) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(listing(outlet));
          return;
        }
        const article = outlet.articles.find((a) => a.path === path);
        if (article) {
          const html = await readFile(new URL(article.file, `file://${DEMO_PAGES_DIR}`), 'utf8');
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(html);
          return;
        }
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    })().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const sourceUrls: Record<string, string> = {};
  for (const outlet of live) sourceUrls[outlet.id] = `${url}/${outlet.id}/${outlet.kind === 'listing' ? 'section' : 'feed'}`;
  return {
    url,
    sourceUrls,
    listingPattern: `^${url.replace(/[.]/g, '\\.')}/sur/noticias/\\d{4}/\\d{2}/\\d{2}/[a-z0-9-]+$`,
    hits,
    publish(outletId, article) {
      const outlet = live.find((candidate) => candidate.id === outletId);
      if (!outlet) throw new Error(`demo: no outlet "${outletId}"`);
      outlet.articles.unshift(article);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
