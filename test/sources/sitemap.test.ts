import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sourceSchema, type SourceConfig } from '../../src/config/schema.js';
import { TransientError } from '../../src/errors.js';
import type { HttpClient } from '../../src/http/client.js';
import { fetchRefs, isTooOld, sourceUrl } from '../../src/jobs/discover.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { discoveryFixture, testClient, ValidatorMap } from './support.js';

/** Stories of each monthly child sitemap, written for these tests. */
const MONTHS: Record<string, Array<[string, string]>> = {
  '2023-01': [['mundo/cancilleres-de-iran-y-nicaragua-hablan-por-telefono', '2023-01-18T15:00:00Z']],
  '2023-02': [['mundo/buques-iranies-atracan-en-rio-de-janeiro', '2023-02-27T12:00:00Z']],
  '2023-03': [['economia/bolivia-busca-socios-para-el-litio', '2023-03-09T10:00:00Z']],
  '2023-04': [['mundo/lula-recibe-a-enviados-de-la-region-en-brasilia', '2023-04-14T16:30:00Z']],
  '2023-05': [['mundo/venezuela-anuncia-visita-de-alto-nivel-irani', '2023-05-29T20:00:00Z']],
  '2023-06': [
    ['mundo/raisi-inicia-en-caracas-su-gira-por-america-latina', '2023-06-12T14:00:00Z'],
    ['mundo/raisi-y-diaz-canel-firman-acuerdos-en-la-habana', '2023-06-15T19:00:00Z'],
  ],
  '2023-07': [['mundo/bolivia-e-iran-firman-memorando-de-defensa', '2023-07-20T21:10:00Z']],
};

function monthSitemap(month: string): string {
  const urls = (MONTHS[month] ?? [])
    .map(([path, date]) => `  <url><loc>https://www.andesdiario.example/${path}</loc><lastmod>${date}</lastmod></url>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls}\n</urlset>\n`;
}

interface Seen {
  path: string;
  ifNoneMatch?: string;
  accept?: string;
}

let server: TestServer;
let client: HttpClient;
let seen: Seen[] = [];
/** Per-path status overrides for the next requests. */
const failures = new Map<string, number>();

function record(req: IncomingMessage): string {
  const path = req.url ?? '/';
  seen.push({ path, ifNoneMatch: req.headers['if-none-match'], accept: req.headers.accept });
  return path;
}

beforeAll(async () => {
  const newsSitemap = await discoveryFixture('news-sitemap.xml');
  const index = await discoveryFixture('sitemap-index.xml');
  server = await startServer((req, res) => {
    const path = record(req);
    const status = failures.get(path);
    if (status !== undefined) {
      res.writeHead(status, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    const month = /^\/sitemaps\/(\d{4}-\d{2})\.xml$/.exec(path)?.[1];
    const body = path === '/news-sitemap.xml' ? newsSitemap : path === '/sitemap-index.xml' ? index : month ? monthSitemap(month) : path === '/sitemaps/pages.xml' ? monthSitemap('none') : undefined;
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const etag = `"${path.replace(/\W/g, '')}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8', etag }).end(body);
  });
  client = testClient();
});

afterAll(async () => {
  await client.close();
  await server.close();
});

afterEach(() => {
  seen = [];
  failures.clear();
});

function sitemapSource(path: string): SourceConfig {
  return sourceSchema.parse({ id: 'andesdiario', name: 'Andes Diario', sitemap: `${server.url}${path}`, maxAgeDays: 3 });
}

describe('fetchRefs for a sitemap source', () => {
  it('polls the sitemap URL', () => {
    expect(sourceUrl(sitemapSource('/news-sitemap.xml'))).toBe(`${server.url}/news-sitemap.xml`);
  });

  it('reads a news sitemap with any content type, dating entries by publication date, else lastmod', async () => {
    const validators = new ValidatorMap();
    const { refs, notModified } = await fetchRefs({ http: client, store: validators.asStore() }, sitemapSource('/news-sitemap.xml'));
    expect(notModified).toBe(false);
    expect(seen[0]?.accept).toBe('*/*');
    expect(refs).toEqual([
      {
        url: 'https://www.andesdiario.example/mundo/raisi-y-arce-revisan-memorando-de-defensa-firmado-en-julio',
        title: 'Bolivia e Irán revisan el memorando de defensa firmado en Teherán',
        publishedAt: '2023-07-20T21:10:00.000Z',
      },
      {
        url: 'https://www.andesdiario.example/economia/precio-del-litio-repunta-en-el-salar-de-uyuni',
        title: 'Precio del litio repunta y reaviva el debate en Potosí',
        publishedAt: '2023-07-19T12:00:00.000Z',
      },
      { url: 'https://www.andesdiario.example/mundo/venezuela-e-iran-plan-de-cooperacion-a-veinte-anos', publishedAt: '2022-06-12T12:00:00.000Z' },
      { url: 'https://www.andesdiario.example/deportes/the-strongest-gana-el-clasico-paceno' },
    ]);
    // The discover job's age filter drops the 2022 archive entry and keeps the undated one.
    const now = new Date('2023-07-21T12:00:00Z');
    const source = sitemapSource('/news-sitemap.xml');
    expect(refs.filter((ref) => !isTooOld(ref, source, now)).map((ref) => ref.url.split('/').pop())).toEqual([
      'raisi-y-arce-revisan-memorando-de-defensa-firmado-en-julio',
      'precio-del-litio-repunta-en-el-salar-de-uyuni',
      'the-strongest-gana-el-clasico-paceno',
    ]);
  });

  it('stores the validators and sends them on the next poll', async () => {
    const validators = new ValidatorMap();
    const deps = { http: client, store: validators.asStore() };
    await fetchRefs(deps, sitemapSource('/news-sitemap.xml'));
    expect(validators.saved.get(`${server.url}/news-sitemap.xml`)).toEqual({ etag: '"newssitemapxml"' });
    const second = await fetchRefs(deps, sitemapSource('/news-sitemap.xml'));
    expect(seen[1]?.ifNoneMatch).toBe('"newssitemapxml"');
    expect(second).toMatchObject({ refs: [], notModified: true });
  });

  it('reads the five newest child sitemaps of an index, by lastmod', async () => {
    const validators = new ValidatorMap();
    const { refs, notModified } = await fetchRefs({ http: client, store: validators.asStore() }, sitemapSource('/sitemap-index.xml'));
    expect(notModified).toBe(false);
    expect(seen.map((s) => s.path).sort()).toEqual(['/sitemap-index.xml', '/sitemaps/2023-03.xml', '/sitemaps/2023-04.xml', '/sitemaps/2023-05.xml', '/sitemaps/2023-06.xml', '/sitemaps/2023-07.xml']);
    expect(refs.map((ref) => ref.url.split('/').pop()).sort()).toEqual([
      'bolivia-busca-socios-para-el-litio',
      'bolivia-e-iran-firman-memorando-de-defensa',
      'lula-recibe-a-enviados-de-la-region-en-brasilia',
      'raisi-inicia-en-caracas-su-gira-por-america-latina',
      'raisi-y-diaz-canel-firman-acuerdos-en-la-habana',
      'venezuela-anuncia-visita-de-alto-nivel-irani',
    ]);
    expect(refs.find((ref) => ref.url.endsWith('la-habana'))?.publishedAt).toBe('2023-06-15T19:00:00.000Z');
    // Children keep validators; the index does not, so a changed child is found even when the index is unchanged.
    expect([...validators.saved.keys()].sort()).toEqual(['03', '04', '05', '06', '07'].map((m) => `${server.url}/sitemaps/2023-${m}.xml`));
  });

  it('polls an index again in full and its children conditionally', async () => {
    const validators = new ValidatorMap();
    const deps = { http: client, store: validators.asStore() };
    await fetchRefs(deps, sitemapSource('/sitemap-index.xml'));
    seen = [];
    const second = await fetchRefs(deps, sitemapSource('/sitemap-index.xml'));
    expect(second).toMatchObject({ refs: [], notModified: true });
    expect(seen.find((s) => s.path === '/sitemap-index.xml')?.ifNoneMatch).toBeUndefined();
    const children = seen.filter((s) => s.path.startsWith('/sitemaps/'));
    expect(children).toHaveLength(5);
    for (const child of children) expect(child.ifNoneMatch).toBe(`"sitemaps${child.path.slice(10, 17).replace('-', '')}xml"`);
  });

  it('skips a child sitemap that is gone and keeps the others', async () => {
    failures.set('/sitemaps/2023-06.xml', 404);
    const validators = new ValidatorMap();
    const { refs } = await fetchRefs({ http: client, store: validators.asStore() }, sitemapSource('/sitemap-index.xml'));
    expect(refs).toHaveLength(4);
    expect(refs.some((ref) => ref.url.includes('raisi'))).toBe(false);
    expect(validators.saved.has(`${server.url}/sitemaps/2023-06.xml`)).toBe(false);
    expect(validators.saved.size).toBe(4);
  });

  it('fails the poll, storing nothing, when a child fails transiently', async () => {
    failures.set('/sitemaps/2023-07.xml', 503);
    const validators = new ValidatorMap();
    await expect(fetchRefs({ http: client, store: validators.asStore() }, sitemapSource('/sitemap-index.xml'))).rejects.toBeInstanceOf(TransientError);
    expect(validators.saved.size).toBe(0);
  });
});
