import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import { parseSitemap } from '../../src/parsers/sitemap.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/sitemaps/${name}`, import.meta.url), 'utf8');
const BASE = 'https://www.telesur.example/sitemap.xml';

describe('parseSitemap', () => {
  it('reads a Google News sitemap: loc, lastmod, publication date and title', () => {
    const { kind, entries } = parseSitemap(fixture('telesur-like-news-sitemap.xml'), BASE);
    expect(kind).toBe('urlset');
    expect(entries).toEqual([
      {
        url: 'https://www.telesur.example/news/presidente-irani-inicia-gira-america-latina-20230612-0021.html',
        lastmod: '2023-06-12T19:02:11.000Z',
        publishedAt: '2023-06-12T13:00:00.000Z',
        title: 'Presidente iraní inicia en Venezuela gira por América Latina',
      },
      {
        url: 'https://www.telesur.example/news/iran-nicaragua-acuerdos-20230613-0033.html',
        publishedAt: '2023-06-13T00:00:00.000Z',
        title: 'Irán & Nicaragua firman acuerdos: "una alianza contra las sanciones"',
      },
      {
        url: 'https://www.telesur.example/news/raisi-la-habana-diaz-canel-20230615-0040.html?utm_source=sitemap&utm_medium=news',
        publishedAt: '2023-06-15T20:15:00.000Z',
        title: 'Raisi y Díaz-Canel: “Cuba e Irán, unidos frente al bloqueo”',
      },
      { url: 'https://www.telesur.example/news/copa-libertadores-octavos-20230617-0005.html', lastmod: '2023-06-18T00:00:00.000Z' },
      // relative loc resolved, unreadable date dropped; the ftp:// entry before it is gone
      { url: 'https://www.telesur.example/news/bolivia-iran-memorando-defensa-20230720-0011.html', title: 'Bolivia e Irán firman memorando de defensa' },
    ]);
  });

  it('reads a sitemap index', () => {
    expect(parseSitemap(fixture('telesur-like-sitemap-index.xml'), BASE)).toEqual({
      kind: 'index',
      entries: [
        { url: 'https://www.telesur.example/sitemaps/news.xml', lastmod: '2023-07-20T18:00:00.000Z' },
        { url: 'https://www.telesur.example/sitemaps/2023-06.xml.gz', lastmod: '2023-06-30T00:00:00.000Z' },
        { url: 'https://www.telesur.example/sitemaps/videos.xml' },
      ],
    });
  });

  it('keeps the complete entries of a truncated sitemap', () => {
    const cut = fixture('telesur-like-news-sitemap.xml').slice(0, fixture('telesur-like-news-sitemap.xml').indexOf('raisi-la-habana') + 10);
    const { entries } = parseSitemap(cut, BASE);
    expect(entries.map((e) => e.url)).toEqual([
      'https://www.telesur.example/news/presidente-irani-inicia-gira-america-latina-20230612-0021.html',
      'https://www.telesur.example/news/iran-nicaragua-acuerdos-20230613-0033.html',
    ]);
  });

  it('never expands entities declared in a DOCTYPE', () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">]>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://s.example/1</loc><news:news><news:title>&xxe;&a;</news:title></news:news></url></urlset>`;
    expect(parseSitemap(xml, 'https://s.example/sitemap.xml').entries).toEqual([{ url: 'https://s.example/1', title: '&xxe;&a;' }]);
  });

  it('refuses a document that is not a sitemap', () => {
    expect(() => parseSitemap('<html><body>Not found</body></html>', BASE)).toThrow(PermanentError);
    expect(() => parseSitemap('<rss version="2.0"><channel/></rss>', BASE)).toThrow(/^parse: not a sitemap \(root element <rss>/);
    expect(() => parseSitemap('', BASE)).toThrow(/^parse: not a sitemap \(no XML root element/);
  });
});
