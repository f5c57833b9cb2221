import { describe, expect, it } from 'vitest';
import { DEMO_IDS, expectDemoUnaffected, scanWith, useHostileWorld, type HostileScan } from './harness.js';
import { compressionBomb, rssLinking, serveCompressed, streamed, trickle } from './server.js';

/**
 * Misbehaving feeds, each run through the real one-shot scan beside the three demo outlets: the bad source ends
 * with one clear error in its row and is recorded as failing; the demo's two stories are still found.
 */

const MB = 1024 * 1024;
const XML = 'application/rss+xml; charset=utf-8';

const world = useHostileWorld();

/** The source's row holds exactly one one-line error matching `pattern`, and its health records the failure. */
function expectFailed(scan: HostileScan, id: string, pattern: RegExp): string {
  const row = scan.row(id);
  expect(row.errors.length).toBeGreaterThanOrEqual(1);
  const error = row.errors[row.errors.length - 1] as string;
  expect(error).toMatch(pattern);
  expect(error).not.toContain('\n');
  const health = scan.health.get(id);
  expect(health?.consecutiveFailures).toBeGreaterThanOrEqual(1);
  expect(health?.lastError).toBe(error);
  expect(health?.lastSuccessAt).toBeUndefined();
  return error;
}

describe('hostile feeds through a real scan', () => {
  it('the baseline finds the two demo stories', () => {
    expect(world.baseline.report.stories).toHaveLength(2);
    for (const id of DEMO_IDS) expect(world.baseline.row(id).items).toBeGreaterThan(0);
  });

  it('refuses a feed over maxBodyBytes, declared or streamed, without downloading it', async () => {
    const declared = { bytes: 0 };
    const chunked = { bytes: 0 };
    world.hostile.route('/big-declared.xml', streamed(40 * MB, XML, declared));
    world.hostile.route('/big-chunked.xml', streamed(40 * MB, XML, chunked, false));
    const scan = await scanWith(
      world.site,
      [
        { id: 'big-declared', feed: `${world.hostile.url}/big-declared.xml` },
        { id: 'big-chunked', feed: `${world.hostile.url}/big-chunked.xml` },
      ],
      { fetch: { maxBodyBytes: MB } },
    );
    expectFailed(scan, 'big-declared', /^fetch: body over 1 MB limit \(http:\/\/127\.0\.0\.1:\d+\/big-declared\.xml\)$/);
    expectFailed(scan, 'big-chunked', /^fetch: body over 1 MB limit \(http:\/\/127\.0\.0\.1:\d+\/big-chunked\.xml\)$/);
    // Cut off near the limit (plus socket buffers), never the 40 MB offered.
    expect(chunked.bytes).toBeLessThan(10 * MB);
    expect(declared.bytes).toBeLessThan(10 * MB);
    expectDemoUnaffected(world, scan);
  }, 60_000);

  it('refuses gzip and brotli bombs as feeds at the decoded limit, with memory bounded', async () => {
    const prefix = '<?xml version="1.0"?><rss version="2.0"><channel><title>bomb</title>';
    const gzip = await compressionBomb('gzip', 50 * MB, prefix);
    const brotli = await compressionBomb('br', 50 * MB, prefix);
    expect(gzip.length).toBeLessThan(MB);
    expect(brotli.length).toBeLessThan(MB);
    world.hostile.route('/bomb-gzip.xml', serveCompressed(gzip, 'gzip', XML));
    world.hostile.route('/bomb-br.xml', serveCompressed(brotli, 'br', XML));
    const scan = await scanWith(
      world.site,
      [
        { id: 'bomb-gzip', feed: `${world.hostile.url}/bomb-gzip.xml` },
        { id: 'bomb-br', feed: `${world.hostile.url}/bomb-br.xml` },
      ],
      { fetch: { maxBodyBytes: 2 * MB } },
    );
    expectFailed(scan, 'bomb-gzip', /^fetch: body over 2 MB limit \(.*\/bomb-gzip\.xml\)$/);
    expectFailed(scan, 'bomb-br', /^fetch: body over 2 MB limit \(.*\/bomb-br\.xml\)$/);
    expect(scan.rssGrowthBytes).toBeLessThan(300 * MB);
    // Most of that is the scan's own (two jsdom workers, ~180 MB here); this thread, where bodies are decoded,
    // grows far less than the 50 MB a bomb would decode to.
    expect(scan.heapGrowthBytes).toBeLessThan(48 * MB);
    expectDemoUnaffected(world, scan);
  }, 60_000);

  it('cuts a feed trickling one byte at a time: per-chunk and whole-body timeouts', async () => {
    const body = rssLinking([`${world.hostile.url}/never-fetched`]);
    world.hostile.route('/trickle-slow.xml', trickle(body, 1000, XML));
    world.hostile.route('/trickle-steady.xml', trickle(body, 100, XML));
    const scan = await scanWith(
      world.site,
      [
        { id: 'trickle-slow', feed: `${world.hostile.url}/trickle-slow.xml` },
        { id: 'trickle-steady', feed: `${world.hostile.url}/trickle-steady.xml` },
      ],
      { fetch: { bodyTimeoutMs: 600 } },
    );
    expectFailed(scan, 'trickle-slow', /^fetch: timeout after 0\.6 s waiting for body \(.*\/trickle-slow\.xml\)$/);
    // 10 bytes a second never pauses 600 ms, but the whole body may not take longer than that either.
    expectFailed(scan, 'trickle-steady', /^fetch: timeout after 0\.6 s waiting for body \(.*\/trickle-steady\.xml\)$/);
    expect(world.hostile.hits.get('/never-fetched')).toBeUndefined();
    expectDemoUnaffected(world, scan);
  }, 60_000);

  it('gives up on a server that never answers headers', async () => {
    world.hostile.route('/silent.xml', () => undefined);
    const scan = await scanWith(world.site, [{ id: 'silent', feed: `${world.hostile.url}/silent.xml` }], { fetch: { headersTimeoutMs: 500 } });
    expectFailed(scan, 'silent', /^fetch: timeout after 0\.5 s waiting for headers \(.*\/silent\.xml\)$/);
    expectDemoUnaffected(world, scan);
  }, 60_000);

  it('stops a redirect loop and a chain over maxRedirects', async () => {
    const redirect = (to: string) => (_req: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(302, { location: to });
      res.end();
    };
    world.hostile.route('/loop-a.xml', redirect('/loop-b.xml'));
    world.hostile.route('/loop-b.xml', redirect('/loop-a.xml'));
    for (let i = 1; i <= 10; i += 1) world.hostile.route(`/hop/${i}.xml`, redirect(`/hop/${i + 1}.xml`));
    const scan = await scanWith(
      world.site,
      [
        { id: 'loop', feed: `${world.hostile.url}/loop-a.xml` },
        { id: 'chain', feed: `${world.hostile.url}/hop/1.xml` },
      ],
      { fetch: { maxRedirects: 3 } },
    );
    expectFailed(scan, 'loop', /^fetch: redirect loop after 2 redirects \(.*\/loop-a\.xml\)$/);
    expectFailed(scan, 'chain', /^fetch: too many redirects \(4, limit 3\) \(.*\/hop\/1\.xml\)$/);
    expect(world.hostile.hits.get('/hop/5.xml')).toBeUndefined();
    expectDemoUnaffected(world, scan);
  }, 60_000);

  it('never expands billion-laughs entities nor fetches an XXE target', async () => {
    const laughs = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE rss [',
      '  <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>',
      '<rss version="2.0"><channel><title>&lol9;</title><link>http://example.invalid/</link><description>x</description>',
      `<item><title>Laughing &lol9;</title><link>${world.hostile.url}/laughs-article</link></item>`,
      '</channel></rss>',
    ].join('\n');
    const xxe = [
      '<?xml version="1.0"?>',
      `<!DOCTYPE rss [ <!ENTITY ext SYSTEM "${world.hostile.url}/xxe-target"> <!ENTITY file SYSTEM "file:///etc/passwd"> ]>`,
      '<rss version="2.0"><channel><title>&ext;</title><link>http://example.invalid/</link><description>&file;</description>',
      `<item><title>External &ext; &file;</title><link>${world.hostile.url}/xxe-article</link></item>`,
      '</channel></rss>',
    ].join('\n');
    world.hostile.route('/laughs.xml', (_req, res) => res.writeHead(200, { 'content-type': XML }).end(laughs));
    world.hostile.route('/xxe.xml', (_req, res) => res.writeHead(200, { 'content-type': XML }).end(xxe));
    world.hostile.route('/xxe-target', (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('SECRET'));
    const scan = await scanWith(world.site, [
      { id: 'laughs', feed: `${world.hostile.url}/laughs.xml` },
      { id: 'xxe', feed: `${world.hostile.url}/xxe.xml` },
    ]);
    // Both parse (the DOCTYPE is dropped unread); their items' articles are then fetched like any other.
    expect(scan.row('laughs').items).toBe(1);
    expect(scan.row('xxe').items).toBe(1);
    expect(world.hostile.hits.get('/xxe-target')).toBeUndefined();
    const titles = scan.logs.map((line) => JSON.stringify(line)).join('\n');
    expect(titles).not.toContain('lollollol');
    expect(titles).not.toContain('SECRET');
    expect(titles).not.toContain('root:x:0');
    expect(scan.rssGrowthBytes).toBeLessThan(300 * MB);
    // Most of that is the scan's own (two jsdom workers, ~180 MB here); this thread, where bodies are decoded,
    // grows far less than the 50 MB a bomb would decode to.
    expect(scan.heapGrowthBytes).toBeLessThan(48 * MB);
    expectDemoUnaffected(world, scan);
  }, 60_000);

  it('uses the items of a malformed feed that come before the damage', async () => {
    const good = [1, 2, 3].map((n) => `${world.hostile.url}/partial-${n}`);
    const broken = `${rssLinking(good).replace('</channel></rss>', '')}<item><title>Cut off <b>mid</title><link>${world.hostile.url}/partial-4`;
    world.hostile.route('/partial.xml', (_req, res) => res.writeHead(200, { 'content-type': XML }).end(broken));
    const scan = await scanWith(world.site, [{ id: 'partial', feed: `${world.hostile.url}/partial.xml` }]);
    expect(scan.row('partial').items).toBeGreaterThanOrEqual(3);
    for (const n of [1, 2, 3]) expect(world.hostile.hits.get(`/partial-${n}`)).toBe(1);
    // The items were usable, so the poll counts as a success.
    expect(scan.health.get('partial')?.consecutiveFailures).toBe(0);
    expectDemoUnaffected(world, scan);
  }, 60_000);
});
