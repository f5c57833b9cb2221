import { copyFile, mkdtemp, readdir, readFile, rm, stat, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { PermanentError } from '../../src/errors.js';
import type { HttpClient } from '../../src/http/client.js';
import { addSource, formatAddResult, sourceIdFromHost } from '../../src/sources/add.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { discoveryFixture, testClient } from './support.js';

const SOFT_404 = '<!doctype html><html><head><title>Page not found</title></head><body><h1>Sorry, this page moved</h1></body></html>';

let server: TestServer;
let http: HttpClient;
let requested: string[] = [];
let dir: string;
let configPath: string;

beforeAll(async () => {
  const pages: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: await discoveryFixture('telesur-home.html') },
    // The Atom link is stale: the site answers it with an HTML page and status 200, as many CMSs do.
    '/feeds/latest.atom': { type: 'text/html; charset=utf-8', body: SOFT_404 },
    '/rss/news.xml': { type: 'application/rss+xml; charset=utf-8', body: await discoveryFixture('news.rss') },
    '/seccion/internacionales/': { type: 'text/html; charset=utf-8', body: await discoveryFixture('cuba-section.html') },
    '/about': { type: 'text/html', body: '<html><head><title>About</title></head><body><p>A small team in Quito.</p><a href="/contact">Contact</a></body></html>' },
  };
  server = await startServer((req, res) => {
    const page = pages[req.url ?? ''];
    requested.push(req.url ?? '');
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': page.type }).end(page.body);
  });
  http = testClient();
});

afterAll(async () => {
  await http.close();
  await server.close();
});

beforeEach(async () => {
  requested = [];
  dir = await mkdtemp(path.join(tmpdir(), 'diplowatch-add-'));
  configPath = path.join(dir, 'watch.yaml');
  await copyFile(new URL('../fixtures/discovery/watch.yaml', import.meta.url), configPath);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('addSource', () => {
  it('tries each announced feed and chooses the first that parses with items (dry run)', async () => {
    const before = await readFile(configPath, 'utf8');
    const result = await addSource({ url: `${server.url}/`, configPath, http, write: false });
    expect(requested).toEqual(['/', '/feeds/latest.atom', '/rss/news.xml']);
    expect(result.feeds).toHaveLength(2);
    expect(result.feeds[0]).toMatchObject({ url: `${server.url}/feeds/latest.atom`, via: 'link', announced: 'atom' });
    expect(result.feeds[0]?.error).toMatch(/^parse: not a feed/);
    expect(result.feeds[1]).toEqual({ url: `${server.url}/rss/news.xml`, via: 'link', announced: 'rss', format: 'rss', items: 3, title: 'Sur Global English - News' });
    expect(result.chosen).toBe(result.feeds[1]);
    expect(result.source).toEqual({ id: 'site-127-0-0-1', name: 'Sur Global English - News', feed: `${server.url}/rss/news.xml`, language: 'en' });
    expect(result.written).toBe(false);
    expect(await readFile(configPath, 'utf8')).toBe(before);

    const printed = formatAddResult(result);
    expect(printed).toContain(`  - ${server.url}/feeds/latest.atom (atom, unusable: parse: not a feed`);
    expect(printed).toContain(`  * ${server.url}/rss/news.xml (rss, 3 items, "Sur Global English - News")`);
    expect(printed).toContain('    name: Sur Global English - News');
    expect(printed).toContain(`dry run: ${configPath} not changed`);
  });

  it('uses the URL itself when it is a feed, with the id, name and schedule given', async () => {
    const result = await addSource({ url: `${server.url}/rss/news.xml`, configPath, http, id: 'surglobal', name: 'Sur Global', schedule: '7-59/10 * * * *', write: false });
    expect(requested).toEqual(['/rss/news.xml']);
    expect(result.feeds).toEqual([{ url: `${server.url}/rss/news.xml`, via: 'given', format: 'rss', items: 3, title: 'Sur Global English - News' }]);
    expect(result.source).toEqual({ id: 'surglobal', name: 'Sur Global', feed: `${server.url}/rss/news.xml`, schedule: '7-59/10 * * * *' });
  });

  it('proposes a listing source with a guessed pattern when there is no feed, and never writes it', async () => {
    const before = await readFile(configPath, 'utf8');
    const result = await addSource({ url: `${server.url}/seccion/internacionales/`, configPath, http, write: true });
    expect(result.feeds).toEqual([]);
    expect(result.chosen).toBeUndefined();
    expect(result.guessed).toBe(true);
    expect(result.source).toMatchObject({ listing: `${server.url}/seccion/internacionales/`, name: 'Internacionales - Isla Hoy', language: 'es' });
    const pattern = new RegExp(String(result.source?.articlePattern));
    expect(result.matches?.map((url) => url.replace(server.url, ''))).toEqual([
      '/2023/06/15/raisi-concluye-en-la-habana-su-gira-latinoamericana/',
      '/2023/06/14/managua-y-teheran-estrechan-lazos-en-visita-presidencial/',
      '/2023/06/10/cumbre-del-alba-en-la-habana-analiza-agenda-regional/',
      '/2023/06/09/zafra-azucarera-cierra-por-debajo-del-plan/',
    ]);
    expect(pattern.test(`${server.url}/etiqueta/iran/`)).toBe(false);
    expect(pattern.test(`${server.url}/seccion/deportes/`)).toBe(false);
    expect(result.written).toBe(false);
    expect(await readFile(configPath, 'utf8')).toBe(before);
    const printed = formatAddResult(result);
    expect(printed).toContain('GUESS');
    expect(printed).toContain('the pattern matches 4 links on the page');
    expect(printed).toContain('nothing written');
  });

  it('proposes nothing for a page with neither feeds nor article-like links', async () => {
    const result = await addSource({ url: `${server.url}/about`, configPath, http, write: true });
    expect(result.source).toBeUndefined();
    expect(result.written).toBe(false);
    expect(formatAddResult(result)).toContain('no feed found');
  });

  it('writes the source into the config file, which then loads with it and keeps its comments', async () => {
    const before = await readFile(configPath, 'utf8');
    await chmod(configPath, 0o600);
    const result = await addSource({ url: `${server.url}/`, configPath, http, id: 'surglobal', write: true, env: {} });
    expect(result.written).toBe(true);
    expect(formatAddResult(result)).toContain(`added to ${configPath}`);

    const { config } = await loadConfig(configPath, {});
    expect(config.sources.map((s) => s.id)).toEqual(['hispantv', 'plenglish', 'surglobal']);
    expect(config.sources[2]).toMatchObject({ name: 'Sur Global English - News', feed: `${server.url}/rss/news.xml`, language: 'en', schedule: '*/10 * * * *', enabled: true });
    const after = await readFile(configPath, 'utf8');
    for (const line of before.split('\n').filter((l) => l.includes('#'))) expect(after.split('\n')).toContain(line);
    // Written by rename: no temporary file is left, and the file's permissions are kept.
    expect(await readdir(dir)).toEqual(['watch.yaml']);
    expect((await stat(configPath)).mode & 0o777).toBe(0o600);

    // The same feed again is reported, not added twice.
    const again = await addSource({ url: `${server.url}/`, configPath, http, id: 'surglobal-2', write: true, env: {} });
    expect(again.written).toBe(false);
    expect(again.notes).toEqual([`${server.url}/rss/news.xml is already configured as source "surglobal"; nothing written`]);
    expect(await readFile(configPath, 'utf8')).toBe(after);
  });

  it('refuses an id that is taken, naming it', async () => {
    await expect(addSource({ url: `${server.url}/rss/news.xml`, configPath, http, id: 'hispantv', write: true, env: {} })).rejects.toThrow(
      'sources[0].id: a source with id "hispantv" already exists',
    );
  });

  it('fails when the URL itself cannot be fetched', async () => {
    await expect(addSource({ url: `${server.url}/gone`, configPath, http, write: false })).rejects.toBeInstanceOf(PermanentError);
  });
});

describe('sourceIdFromHost', () => {
  it.each([
    ['www.telesurenglish.net', 'telesurenglish'],
    ['english.almayadeen.net', 'almayadeen-english'],
    ['en.irna.ir', 'irna-en'],
    ['www.independent.co.uk', 'independent'],
    ['www.prensa-latina.cu', 'prensa-latina'],
    ['www.hispantv.com', 'hispantv'],
    ['m.elmundo.com.ve', 'elmundo'],
    ['localhost', 'localhost'],
    ['127.0.0.1', 'site-127-0-0-1'],
  ])('%s → %s', (host, id) => {
    expect(sourceIdFromHost(host)).toBe(id);
  });
});
