import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { DEMO_IDS, expectDemoUnaffected, scanWith, useHostileWorld, warningsAbout, type HostileScan } from './harness.js';
import { compressionBomb, rssLinking, serveCompressed, streamed } from './server.js';

/**
 * Misbehaving article pages behind a well-behaved feed, each run through the real one-shot scan beside the three
 * demo outlets. Article failures land in the source's row and in one warning line; the poll itself succeeded,
 * so the source's recorded health stays clean (health is about polling the source).
 */

const MB = 1024 * 1024;
const XML = 'application/rss+xml; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

const world = useHostileWorld();

/** Serves a feed at `/<id>.xml` linking to `paths` on the hostile server; returns the source. */
function feedOf(id: string, paths: string[], base = world.hostile.url): { id: string; feed: string } {
  world.hostile.route(`/${id}.xml`, (_req, res) => res.writeHead(200, { 'content-type': XML }).end(rssLinking(paths.map((path) => `${base}${path}`))));
  return { id, feed: `${world.hostile.url}/${id}.xml` };
}

function html(res: ServerResponse, body: string | Buffer, contentType = HTML): void {
  res.writeHead(200, { 'content-type': contentType });
  res.end(body);
}

/** Each article error of the row matches one of `patterns`, in one line, and was logged once as a warning. */
function expectArticleErrors(scan: HostileScan, id: string, expected: Array<[path: string, pattern: RegExp]>): void {
  const row = scan.row(id);
  expect(row.errors).toHaveLength(expected.length);
  for (const [path, pattern] of expected) {
    const error = row.errors.find((message) => message.includes(`${path})`));
    expect(error, `error for ${path} in ${JSON.stringify(row.errors)}`).toMatch(pattern);
    expect(error).not.toContain('\n');
    const failed = warningsAbout(scan.logs, path).filter((line) => line.msg === 'article failed');
    expect(failed).toHaveLength(1);
  }
  // The feed was polled fine: the source is healthy even though its articles were not.
  expect(scan.health.get(id)?.consecutiveFailures).toBe(0);
}

describe('hostile article pages through a real scan', () => {
  it('refuses gzip and brotli bombs as articles at the decoded limit, with memory bounded', async () => {
    const prefix = '<!doctype html><html><head><title>bomb</title></head><body><p>';
    world.hostile.route('/bomb-article-gzip', serveCompressed(await compressionBomb('gzip', 50 * MB, prefix), 'gzip', HTML));
    world.hostile.route('/bomb-article-br', serveCompressed(await compressionBomb('br', 50 * MB, prefix), 'br', HTML));
    const scan = await scanWith(world.site, [feedOf('article-bombs', ['/bomb-article-gzip', '/bomb-article-br'])], { fetch: { maxBodyBytes: 2 * MB } });
    expectArticleErrors(scan, 'article-bombs', [
      ['/bomb-article-gzip', /^fetch: body over 2 MB limit \(http:\/\/127\.0\.0\.1:\d+\/bomb-article-gzip\)$/],
      ['/bomb-article-br', /^fetch: body over 2 MB limit \(http:\/\/127\.0\.0\.1:\d+\/bomb-article-br\)$/],
    ]);
    expect(scan.rssGrowthBytes).toBeLessThan(300 * MB);
    // Most of that is the scan's own (two jsdom workers, ~180 MB here); this thread, where bodies are decoded,
    // grows far less than the 50 MB a bomb would decode to.
    expect(scan.heapGrowthBytes).toBeLessThan(48 * MB);
    expectDemoUnaffected(world, scan);
  }, 60_000);

  it('skips a PDF and an image where an article was expected, without downloading them', async () => {
    const pdf = { bytes: 0 };
    const image = { bytes: 0 };
    world.hostile.route('/report.pdf', streamed(40 * MB, 'application/pdf', pdf));
    world.hostile.route('/photo', streamed(40 * MB, 'image/jpeg', image, false));
    const scan = await scanWith(world.site, [feedOf('not-html', ['/report.pdf', '/photo'])]);
    expectArticleErrors(scan, 'not-html', [
      ['/report.pdf', /^fetch: skipped application\/pdf \(http:\/\/127\.0\.0\.1:\d+\/report\.pdf\)$/],
      ['/photo', /^fetch: skipped image\/jpeg \(http:\/\/127\.0\.0\.1:\d+\/photo\)$/],
    ]);
    expect(pdf.bytes).toBeLessThan(10 * MB);
    expect(image.bytes).toBeLessThan(10 * MB);
    expectDemoUnaffected(world, scan);
  }, 60_000);

  it('bounds extraction of 100,000 nested elements and of a 5 MB text node, while the other sources go on', async () => {
    const nested = `<!doctype html><html><head><title>deep</title></head><body>${'<div>'.repeat(100_000)}<p>Iran and Venezuela, deep inside.</p>${'</div>'.repeat(100_000)}</body></html>`;
    const longText = `<!doctype html><html><head><title>long</title></head><body><article><p>${'Caracas '.repeat(5_000_000 / 8)}</p></article></body></html>`;
    world.hostile.route('/nested', (_req, res) => html(res, nested));
    world.hostile.route('/long-text', (_req, res) => html(res, longText));
    // Default limits: the trimmed-size cap refuses the long page before parsing; the nested one is stopped by the
    // element budget or, since jsdom itself is slow to build 100,000 levels, by the time budget.
    const limited = await scanWith(world.site, [feedOf('heavy', ['/nested', '/long-text'])], { extract: { timeBudgetMs: 3_000 } });
    expectArticleErrors(limited, 'heavy', [
      ['/nested', /^extract: .*(element|nest|over the 3 s time budget).* \(http:\/\/127\.0\.0\.1:\d+\/nested\)$/i],
      ['/long-text', /^extract: page is [\d.]+ MB after trimming, over the 2\.1 MB limit \(http:\/\/127\.0\.0\.1:\d+\/long-text\)$/],
    ]);
    expectDemoUnaffected(world, limited);

    // Limits raised out of the way: then the time budget is what stops a page, and only that page.
    const budgeted = await scanWith(world.site, [feedOf('heavy', ['/nested', '/long-text'])], {
      // Not much lower: a fresh worker's first page includes jsdom's warm-up, and a tight budget would cut it too.
      extract: { timeBudgetMs: 4_000, maxElemsToParse: 1_000_000, maxHtmlBytes: 16 * MB },
    });
    const row = budgeted.row('heavy');
    // Here (2 CPUs) both pages run into the budget; a faster machine may finish the long one, never the nested one.
    expect(row.errors.some((error) => error.includes('/nested)'))).toBe(true);
    for (const error of row.errors) expect(error).toMatch(/^extract: (over the 4 s time budget|no article found|.*nest.*) \(http:\/\/127\.0\.0\.1:\d+\/(nested|long-text)\)$/);
    expectDemoUnaffected(world, budgeted);
  }, 120_000);

  it('reports a page that is all script as having no article', async () => {
    const page = await readFile(new URL('../../demo/pages/all-script.html', import.meta.url), 'utf8');
    world.hostile.route('/app-shell', (_req, res) => html(res, page.replace('</body>', `<script>${'var x = 1;\n'.repeat(20_000)}</script></body>`)));
    const scan = await scanWith(world.site, [feedOf('spa', ['/app-shell'])]);
    expectArticleErrors(scan, 'spa', [['/app-shell', /^extract: no article found \(http:\/\/127\.0\.0\.1:\d+\/app-shell\)$/]]);
    expectDemoUnaffected(world, scan);
  }, 60_000);

  it('decodes windows-1252 pages: the header charset wins over <meta>, and <meta> is used when the header has none', async () => {
    const managua = Buffer.from(await readFile(new URL('./fixtures/managua-1252.html', import.meta.url), 'utf8'), 'latin1');
    const habana = Buffer.from(await readFile(new URL('./fixtures/habana-1252.html', import.meta.url), 'utf8'), 'latin1');
    // Mislabelled: the header says UTF-8, the bytes and the <meta> say windows-1252.
    world.hostile.route('/managua', (_req, res) => html(res, managua, 'text/html; charset=utf-8'));
    // No charset in the header: the <meta http-equiv> decides.
    world.hostile.route('/habana', (_req, res) => html(res, habana, 'text/html'));
    const scan = await scanWith(world.site, [feedOf('charsets', ['/managua', '/habana'])]);
    expect(scan.row('charsets').errors).toEqual([]);
    const titles = scan.report.stories.flatMap((story) => story.articles).map((article) => article.title);
    // Header wins (as in browsers): accented letters become U+FFFD, the ASCII text stays readable.
    expect(titles).toContain('Raisi llega a Managua y se re\uFFFDne con Ortega');
    expect(titles).toContain('Díaz-Canel recibe a Raisi en La Habana');
    expectDemoUnaffected(world, scan);
  }, 60_000);
});

describe('article links to private addresses, with allowPrivateNetworks off', () => {
  it('refuses an article on 127.0.0.1 and one that redirects there, and a trusted feed that redirects there', async () => {
    // The demo outlets and one redirector are reached as `localhost`, which the operator allowed; 127.0.0.1 is not.
    const local = world.hostile.url.replace('127.0.0.1', 'localhost');
    world.hostile.route('/private-article', (_req, res) => html(res, '<p>should never be served</p>'));
    world.hostile.route('/bounce', (_req, res) => res.writeHead(302, { location: `${world.hostile.url}/private-article` }).end());
    world.hostile.route('/feed-bounce.xml', (_req, res) => res.writeHead(301, { location: `${world.hostile.url}/private-feed.xml` }).end());
    world.hostile.hits.delete('/private-article');
    const links = feedOf('private-links', []);
    world.hostile.route('/private-links.xml', (_req, res) =>
      res.writeHead(200, { 'content-type': XML }).end(rssLinking([`${world.hostile.url}/private-article`, `${local}/bounce`])),
    );
    const scan = await scanWith(world.site, [links, { id: 'feed-bounce', feed: `${world.hostile.url}/feed-bounce.xml` }], {
      fetch: { allowPrivateNetworks: false, allowHosts: ['localhost'] },
      demoHost: 'localhost',
    });
    const refusal = /^fetch: refusing private address 127\.0\.0\.1 for http:\/\/127\.0\.0\.1:\d+\/private-article$/;
    // Both links end in one refusal each: the direct one, and the redirect hop (named in the message).
    expect(scan.row('private-links').errors).toEqual([expect.stringMatching(refusal), expect.stringMatching(refusal)]);
    const failed = scan.logs.filter((line) => line.msg === 'article failed' && line.source === 'private-links');
    expect(failed.map((line) => new URL(String(line.url)).pathname).sort()).toEqual(['/bounce', '/private-article']);
    expect(scan.health.get('private-links')?.consecutiveFailures).toBe(0);
    expect(world.hostile.hits.get('/private-article')).toBeUndefined();
    // A configured feed URL is trusted, but not where it redirects.
    expect(scan.row('feed-bounce').errors).toEqual([expect.stringMatching(/^fetch: refusing private address 127\.0\.0\.1 for http:\/\/127\.0\.0\.1:\d+\/private-feed\.xml$/)]);
    expect(scan.health.get('feed-bounce')?.consecutiveFailures).toBe(1);
    expect(world.hostile.hits.get('/private-feed.xml')).toBeUndefined();
    expect(scan.report.stories).toHaveLength(2);
    for (const id of DEMO_IDS) expect(scan.row(id).items).toBe(world.baseline.row(id).items);
  }, 60_000);
});
