import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../src/errors.js';
import { ROBOTS_RETRY_MS, robotsTtlMs } from '../../src/http/robots-cache.js';
import { normalizeRobotsPath, parseRobots, productToken, ROBOTS_MAX_BYTES } from '../../src/http/robots.js';
import { fetchOptions, rejection, testResources } from './support.js';

const UA = 'diplowatch/0.1 (+https://github.com/diplowatch/diplowatch)';

describe('parseRobots: groups', () => {
  const robots = parseRobots(
    [
      '# Robots for a regional news site',
      'User-agent: *',
      'Disallow: /',
      '',
      'User-agent: DiploWatch',
      'User-agent: archivebot',
      'Disallow: /suscriptores/',
      'Crawl-delay: 2.5',
      '',
      'User-agent: Googlebot/2.1',
      'Allow: /',
      '',
      'User-agent: diplowatch',
      'Disallow: /busqueda',
    ].join('\n'),
  );

  it('uses the group naming our product token, matched case-insensitively, from a full User-Agent', () => {
    expect(robots.isAllowed(UA, '/mundo/2023/06/13/raisi-caracas')).toBe(true);
    expect(robots.isAllowed(UA, '/suscriptores/analisis')).toBe(false);
    expect(robots.isAllowed('DIPLOWATCH', '/suscriptores/analisis')).toBe(false);
  });

  it('merges every group that names the agent', () => {
    expect(robots.isAllowed(UA, '/busqueda?q=iran')).toBe(false);
    expect(robots.isAllowed('archivebot/3', '/busqueda?q=iran')).toBe(true);
  });

  it('falls back to the * group only when no group names the agent', () => {
    expect(robots.isAllowed('OtherBot/1.0', '/mundo/')).toBe(false);
    expect(robots.isAllowed('Googlebot', '/suscriptores/analisis')).toBe(true);
  });

  it('reads Crawl-delay from the applicable group only', () => {
    expect(robots.crawlDelayMs(UA)).toBe(2500);
    expect(robots.crawlDelayMs('OtherBot')).toBeUndefined();
  });

  it('allows everything when no group applies, and for an empty file', () => {
    const onlyOthers = parseRobots('User-agent: Googlebot\nDisallow: /\n');
    expect(onlyOthers.isAllowed(UA, '/anything')).toBe(true);
    expect(parseRobots('').isAllowed(UA, '/anything')).toBe(true);
  });

  it('ignores rules before any user-agent line, comments, a BOM and CRLF line ends', () => {
    const robots2 = parseRobots('\uFEFFDisallow: /antes\r\nUser-agent: * # everyone\r\nDisallow: /privado # staff only\r\n');
    expect(robots2.isAllowed(UA, '/antes/1')).toBe(true);
    expect(robots2.isAllowed(UA, '/privado/1')).toBe(false);
    expect(robots2.isAllowed(UA, '/privado')).toBe(false);
  });

  it('starts a new group at a user-agent line after rules', () => {
    const robots2 = parseRobots('User-agent: diplowatch\nDisallow: /a\nUser-agent: otherbot\nDisallow: /b\n');
    expect(robots2.isAllowed(UA, '/a')).toBe(false);
    expect(robots2.isAllowed(UA, '/b')).toBe(true);
  });

  it('treats an empty Disallow as allowing everything', () => {
    expect(parseRobots('User-agent: *\nDisallow:\n').isAllowed(UA, '/x')).toBe(true);
  });

  it('always allows /robots.txt itself', () => {
    expect(parseRobots('User-agent: *\nDisallow: /\n').isAllowed(UA, '/robots.txt')).toBe(true);
  });
});

describe('parseRobots: matching', () => {
  it('lets the longest match win', () => {
    const robots = parseRobots('User-agent: *\nDisallow: /noticias\nAllow: /noticias/iran\nDisallow: /noticias/iran/opinion\n');
    expect(robots.isAllowed(UA, '/noticias/iran-venezuela-acuerdo-2022')).toBe(true);
    expect(robots.isAllowed(UA, '/noticias/deportes')).toBe(false);
    expect(robots.isAllowed(UA, '/noticias/iran/opinion/1')).toBe(false);
    expect(robots.isAllowed(UA, '/otras')).toBe(true);
  });

  it('prefers Allow over Disallow when both match with the same length, in either order', () => {
    expect(parseRobots('User-agent: *\nDisallow: /page\nAllow: /page\n').isAllowed(UA, '/page')).toBe(true);
    expect(parseRobots('User-agent: *\nAllow: /page\nDisallow: /page\n').isAllowed(UA, '/page')).toBe(true);
    // Same length by octets, wildcard or not: still Allow.
    expect(parseRobots('User-agent: *\nDisallow: /*.php\nAllow: /ab.php\n').isAllowed(UA, '/ab.php')).toBe(true);
  });

  it('matches * as any sequence, including none', () => {
    const robots = parseRobots('User-agent: *\nDisallow: /*/imprimir\nDisallow: /buscar*q=\n');
    expect(robots.isAllowed(UA, '/2023/06/imprimir')).toBe(false);
    expect(robots.isAllowed(UA, '/x/imprimir/2')).toBe(false);
    expect(robots.isAllowed(UA, '/imprimir')).toBe(true);
    expect(robots.isAllowed(UA, '/buscarq=bolivia')).toBe(false);
    expect(robots.isAllowed(UA, '/buscar?pagina=2&q=bolivia')).toBe(false);
    expect(robots.isAllowed(UA, '/buscar?pagina=2')).toBe(true);
  });

  it('anchors a pattern ending in $ at the end of the path', () => {
    const robots = parseRobots('User-agent: *\nDisallow: /*.pdf$\nDisallow: /$\n');
    expect(robots.isAllowed(UA, '/informes/acuerdo.pdf')).toBe(false);
    expect(robots.isAllowed(UA, '/informes/acuerdo.pdf?descarga=1')).toBe(true);
    expect(robots.isAllowed(UA, '/informes/acuerdo.pdfx')).toBe(true);
    expect(robots.isAllowed(UA, '/')).toBe(false);
    expect(robots.isAllowed(UA, '/portada')).toBe(true);
  });

  it('matches the query string as part of the path', () => {
    const robots = parseRobots('User-agent: *\nDisallow: /*?\n');
    expect(robots.isAllowed(UA, '/nota?utm_source=x')).toBe(false);
    expect(robots.isAllowed(UA, '/nota')).toBe(true);
  });

  it('compares percent-encoded and raw forms as equal', () => {
    const robots = parseRobots('User-agent: *\nDisallow: /noticias/política\nDisallow: /%62%61%7A\nDisallow: /a%2fb\n');
    expect(robots.isAllowed(UA, '/noticias/pol%C3%ADtica/cancilleres')).toBe(false);
    expect(robots.isAllowed(UA, '/noticias/pol%c3%adtica/cancilleres')).toBe(false);
    expect(robots.isAllowed(UA, '/noticias/política')).toBe(false);
    expect(robots.isAllowed(UA, '/baz')).toBe(false);
    // An encoded slash is not a slash.
    expect(robots.isAllowed(UA, '/a%2Fb')).toBe(false);
    expect(robots.isAllowed(UA, '/a/b')).toBe(true);
  });

  it('handles many wildcards against a long path without backtracking blow-up', () => {
    const robots = parseRobots(`User-agent: *\nDisallow: /${'*a'.repeat(30)}*b$\n`);
    expect(robots.isAllowed(UA, `/${'a'.repeat(20_000)}`)).toBe(true);
    expect(robots.isAllowed(UA, `/${'a'.repeat(20_000)}b`)).toBe(false);
  });

  it('reads only the first 500 KiB', () => {
    const filler = `# ${'relleno '.repeat(12)}\n`.repeat(Math.ceil(ROBOTS_MAX_BYTES / 99) + 100);
    const robots = parseRobots(`User-agent: *\nDisallow: /antes\n${filler}Disallow: /despues\n`);
    expect(robots.isAllowed(UA, '/antes')).toBe(false);
    expect(robots.isAllowed(UA, '/despues')).toBe(true);
  });

  it('drops a line cut in half at the 500 KiB limit rather than reading a shorter rule', () => {
    const head = 'User-agent: *\n';
    const padding = ROBOTS_MAX_BYTES - head.length - 'Disallow: /a'.length;
    const text = `${head}#${'x'.repeat(padding - 2)}\nDisallow: /abcdefgh\n`;
    expect(new TextEncoder().encode(text.slice(0, text.indexOf('bcdefgh'))).length).toBe(ROBOTS_MAX_BYTES);
    expect(parseRobots(text).isAllowed(UA, '/axyz')).toBe(true);
  });

  it('accepts Crawl-delay as whole or decimal seconds and ignores nonsense', () => {
    expect(parseRobots('User-agent: *\nCrawl-delay: 10\n').crawlDelayMs(UA)).toBe(10_000);
    expect(parseRobots('User-agent: *\nCrawl-delay: 0.5\n').crawlDelayMs(UA)).toBe(500);
    expect(parseRobots('User-agent: *\nCrawl-delay: soon\n').crawlDelayMs(UA)).toBeUndefined();
  });
});

describe('robots helpers', () => {
  it('takes the product token from a User-Agent', () => {
    expect(productToken(UA)).toBe('diplowatch');
    expect(productToken('Mozilla/5.0 (compatible)')).toBe('mozilla');
    expect(productToken('*')).toBe('*');
  });

  it('normalizes paths to one percent-encoded form', () => {
    expect(normalizeRobotsPath('/bogotá')).toBe('/bogot%C3%A1');
    expect(normalizeRobotsPath('/bogot%c3%a1')).toBe('/bogot%C3%A1');
    expect(normalizeRobotsPath('/%7Euser/%41')).toBe('/~user/A');
    expect(normalizeRobotsPath('/a b')).toBe('/a%20b');
  });

  it('keeps robots.txt for 24 h, or its max-age within 1 h to 7 d', () => {
    expect(robotsTtlMs(undefined)).toBe(24 * 3_600_000);
    expect(robotsTtlMs('public, max-age=10800')).toBe(10_800_000);
    expect(robotsTtlMs('max-age=60')).toBe(3_600_000);
    expect(robotsTtlMs('max-age=99999999')).toBe(7 * 24 * 3_600_000);
  });
});

/** A site whose robots.txt answer the test sets, counting hits per path. */
async function site(robots: (req: IncomingMessage, res: ServerResponse) => void) {
  const hits = new Map<string, number>();
  const userAgents: string[] = [];
  const server = await use.server((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    userAgents.push(req.headers['user-agent'] ?? '');
    if (path === '/robots.txt') {
      robots(req, res);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><title>Nota</title><p>Texto.</p></html>');
  });
  return { server, hits, userAgents, count: (path: string) => hits.get(path) ?? 0 };
}

const use = testResources();

const RULES = 'User-agent: *\nDisallow: /privado/\n\nUser-agent: diplowatch\nDisallow: /borradores/\n';

describe('client: robots.txt', () => {
  it('fetches robots.txt once per origin, even for concurrent first requests, with our User-Agent', async () => {
    const a = await site((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(RULES));
    const b = await site((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(RULES));
    const client = use.client(fetchOptions({ respectRobots: true, userAgent: UA }));
    await Promise.all([1, 2, 3, 4].map((i) => client.get(`${a.server.url}/mundo/${i}`, { accept: 'html', trusted: true })));
    for (const i of [5, 6]) await client.get(`${a.server.url}/mundo/${i}`, { accept: 'html', trusted: true });
    await client.get(`${b.server.url}/mundo/1`, { accept: 'html', trusted: true });
    await client.get(`${b.server.url}/mundo/2`, { accept: 'feed', trusted: true });
    expect(a.count('/robots.txt')).toBe(1);
    expect(b.count('/robots.txt')).toBe(1);
    expect(a.count('/mundo/6')).toBe(1);
    expect(a.userAgents[0]).toBe(UA);
  });

  it('refuses a disallowed URL with a PermanentError, without requesting it', async () => {
    const a = await site((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(RULES));
    const client = use.client(fetchOptions({ respectRobots: true, userAgent: UA }));
    const err = await rejection(client.get(`${a.server.url}/borradores/nota-1`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`fetch: disallowed by robots.txt (${a.server.url}/borradores/nota-1)`);
    // The * group does not apply to us: our own group replaces it.
    expect((await client.get(`${a.server.url}/privado/x`, { accept: 'html', trusted: true })).status).toBe('ok');
    expect(a.count('/borradores/nota-1')).toBe(0);
  });

  it('checks the robots.txt of the origin a redirect leads to', async () => {
    const target = await site((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /\n'));
    const start = await use.server((req, res) => {
      if (req.url === '/robots.txt') res.writeHead(404).end();
      else res.writeHead(301, { location: `${target.server.url}/nota` }).end();
    });
    const client = use.client(fetchOptions({ respectRobots: true, allowPrivateNetworks: true }));
    const err = await rejection(client.get(`${start.url}/corto`, { accept: 'html' }));
    expect(err.message).toBe(`fetch: disallowed by robots.txt (${target.server.url}/nota)`);
    expect(target.count('/nota')).toBe(0);
  });

  it('allows everything when robots.txt is 404, and asks only once', async () => {
    const a = await site((_req, res) => res.writeHead(404).end('no'));
    const client = use.client(fetchOptions({ respectRobots: true }));
    expect((await client.get(`${a.server.url}/cualquier/ruta`, { accept: 'html', trusted: true })).status).toBe('ok');
    expect((await client.get(`${a.server.url}/otra`, { accept: 'html', trusted: true })).status).toBe('ok');
    expect(a.count('/robots.txt')).toBe(1);
  });

  it('disallows everything while robots.txt answers 500, as a retryable error, and asks again after 10 minutes', async () => {
    let failing = true;
    const a = await site((_req, res) => {
      if (failing) res.writeHead(500).end('down');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /privado/\n');
    });
    let now = Date.parse('2023-06-12T09:00:00Z');
    const client = use.client(fetchOptions({ respectRobots: true }), { now: () => now });
    const err = await rejection(client.get(`${a.server.url}/nota`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toBe(`fetch: robots.txt unreachable (HTTP 500), disallowed for 600 s (${a.server.url}/nota)`);
    expect((err as TransientError).retryAfterMs).toBe(ROBOTS_RETRY_MS);
    expect(a.count('/nota')).toBe(0);

    failing = false;
    now += ROBOTS_RETRY_MS - 60_000;
    const again = await rejection(client.get(`${a.server.url}/nota`, { accept: 'html', trusted: true }));
    expect((again as TransientError).retryAfterMs).toBe(60_000);
    expect(a.count('/robots.txt')).toBe(1);

    now += 60_001;
    expect((await client.get(`${a.server.url}/nota`, { accept: 'html', trusted: true })).status).toBe('ok');
    expect(a.count('/robots.txt')).toBe(2);
    expect(a.count('/nota')).toBe(1);
  });

  it('asks for an unreachable robots.txt again at its Retry-After when that is sooner than 10 minutes', async () => {
    const a = await site((_req, res) => res.writeHead(503, { 'retry-after': '120' }).end());
    const client = use.client(fetchOptions({ respectRobots: true }));
    const err = await rejection(client.get(`${a.server.url}/nota`, { accept: 'html', trusted: true }));
    expect(err.message).toBe(`fetch: robots.txt unreachable (HTTP 503), disallowed for 120 s (${a.server.url}/nota)`);
    expect((err as TransientError).retryAfterMs).toBeLessThanOrEqual(120_000);
    expect((err as TransientError).retryAfterMs).toBeGreaterThan(110_000);
  });

  it('keeps robots.txt for its max-age, then revalidates it with its ETag', async () => {
    const conditional: (string | undefined)[] = [];
    const a = await site((req, res) => {
      conditional.push(req.headers['if-none-match']);
      if (req.headers['if-none-match'] === '"r1"') {
        res.writeHead(304, { 'cache-control': 'max-age=7200' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', etag: '"r1"', 'cache-control': 'public, max-age=10800' }).end('User-agent: *\nDisallow: /privado/\n');
    });
    let now = Date.parse('2023-07-20T12:00:00Z');
    const client = use.client(fetchOptions({ respectRobots: true }), { now: () => now });
    const refused = async () => (await rejection(client.get(`${a.server.url}/privado/1`, { accept: 'html', trusted: true }))).message;
    expect(await refused()).toMatch(/^fetch: disallowed by robots\.txt/);
    now += 3 * 3_600_000 - 1000;
    expect(await refused()).toMatch(/^fetch: disallowed by robots\.txt/);
    expect(a.count('/robots.txt')).toBe(1);
    now += 2000;
    expect(await refused()).toMatch(/^fetch: disallowed by robots\.txt/);
    expect(a.count('/robots.txt')).toBe(2);
    expect(conditional).toEqual([undefined, '"r1"']);
  });

  it('does not ask for robots.txt when fetching robots.txt itself, or when respectRobots is off', async () => {
    const a = await site((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /\n'));
    const client = use.client(fetchOptions({ respectRobots: true }));
    expect((await client.get(`${a.server.url}/robots.txt`, { accept: 'any', trusted: true })).status).toBe('ok');
    expect(a.count('/robots.txt')).toBe(1);
    const other = use.client(fetchOptions({ respectRobots: false }));
    expect((await other.get(`${a.server.url}/nota`, { accept: 'html', trusted: true })).status).toBe('ok');
    expect(a.count('/robots.txt')).toBe(1);
  });

  it('reads a robots.txt larger than the body limit up to 500 KiB instead of refusing it', async () => {
    const big = `User-agent: *\nDisallow: /privado/\n${'# comentario largo sobre nada en particular\n'.repeat(30_000)}Disallow: /tarde/\n`;
    const a = await site((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(big));
    const client = use.client(fetchOptions({ respectRobots: true, maxBodyBytes: 1_000_000 }));
    expect(big.length).toBeGreaterThan(1_000_000);
    expect((await rejection(client.get(`${a.server.url}/privado/1`, { accept: 'html', trusted: true }))).message).toMatch(/disallowed by robots\.txt/);
    expect((await client.get(`${a.server.url}/tarde/1`, { accept: 'html', trusted: true })).status).toBe('ok');
  });

  it('lets the address guard refuse an untrusted private URL with its own message', async () => {
    const a = await site((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow:\n'));
    const client = use.client(fetchOptions({ respectRobots: true }));
    const err = await rejection(client.get(`${a.server.url}/nota`, { accept: 'html' }));
    expect(err.message).toBe(`fetch: refusing private address 127.0.0.1 for ${a.server.url}/nota`);
    expect(a.count('/robots.txt')).toBe(0);
    // Nothing was cached from the refusal: a trusted fetch of the same origin reads robots.txt.
    expect((await client.get(`${a.server.url}/nota`, { accept: 'html', trusted: true })).status).toBe('ok');
    expect(a.count('/robots.txt')).toBe(1);
  });
});
