import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { findFeedLinks, guessArticlePattern, readPageInfo } from '../../src/parsers/autodiscover.js';
import { parseListing } from '../../src/parsers/listing.js';

const fixture = (name: string) => readFile(new URL(`../fixtures/discovery/${name}`, import.meta.url), 'utf8');

describe('findFeedLinks', () => {
  it('finds announced feeds, absolute and once each, ignoring comments, scripts and hreflang alternates', async () => {
    const html = await fixture('telesur-home.html');
    expect(findFeedLinks(html, 'https://www.surglobal.example/')).toEqual([
      { url: 'https://www.surglobal.example/feeds/latest.atom', type: 'atom', title: 'Sur Global English » Latest (Atom)' },
      { url: 'https://www.surglobal.example/rss/news.xml', type: 'rss', title: 'Sur Global English - News' },
    ]);
  });

  it('types every feed media type and rel="feed", and resolves against <base href>', () => {
    const html = `<head>
      <base href="https://cdn.example.org/es/">
      <link rel="alternate" type="application/feed+json" href="feed.json" title="JSON">
      <link rel="alternate" type="application/rdf+xml" href="/rdf">
      <link rel="Alternate" type="application/RSS+XML; charset=utf-8" href="rss">
      <link rel="feed" href="https://news.example.org/all">
      <link rel="feed alternate" type="application/atom+xml" href="atom.xml">
      <link rel="alternate" type="text/html" href="/amp/">
      <link rel="alternate" type="application/rss+xml" href="javascript:void(0)">
      <link rel="alternate" type="application/rss+xml">
    </head>`;
    expect(findFeedLinks(html, 'https://www.example.org/')).toEqual([
      { url: 'https://cdn.example.org/es/feed.json', type: 'json', title: 'JSON' },
      { url: 'https://cdn.example.org/rdf', type: 'rdf' },
      { url: 'https://cdn.example.org/es/rss', type: 'rss' },
      { url: 'https://news.example.org/all', type: 'rss' },
      { url: 'https://cdn.example.org/es/atom.xml', type: 'atom' },
    ]);
  });

  it('is not thrown off by a stray apostrophe or an unclosed tag before the feed link', () => {
    const html = `<meta name=description content=Iran's envoy in Caracas><link rel="alternate" type="application/rss+xml" href="/rss">
      <p>Ministers' meeting</p><link rel="alternate" type="application/atom+xml" href="/atom`;
    expect(findFeedLinks(html, 'https://www.example.org/')).toEqual([{ url: 'https://www.example.org/rss', type: 'rss' }]);
  });

  it('returns nothing for a page without feed links', async () => {
    expect(findFeedLinks(await fixture('cuba-section.html'), 'https://www.islahoy.example/seccion/internacionales/')).toEqual([]);
  });
});

describe('readPageInfo', () => {
  it('prefers og:site_name and reads the primary language', async () => {
    expect(readPageInfo(await fixture('telesur-home.html'))).toEqual({ title: 'Sur Global English', language: 'en' });
  });

  it('falls back to <title>', async () => {
    expect(readPageInfo(await fixture('cuba-section.html'))).toEqual({ title: 'Internacionales - Isla Hoy', language: 'es' });
    expect(readPageInfo('<p>no head</p>')).toEqual({});
  });
});

describe('guessArticlePattern', () => {
  const base = 'https://www.islahoy.example/seccion/internacionales/';

  it('picks the dated URL shape and matches articles only, not sections, tags or authors', async () => {
    const html = await fixture('cuba-section.html');
    const guess = guessArticlePattern(html, base);
    expect(guess?.pattern).toBe('^https://www\\.islahoy\\.example/\\d{4}/\\d+/\\d+/[^/_-]+(?:[-_]+[^/_-]+){2,}/?$');
    expect(guess?.matches).toEqual([
      'https://www.islahoy.example/2023/06/15/raisi-concluye-en-la-habana-su-gira-latinoamericana/',
      'https://www.islahoy.example/2023/06/14/managua-y-teheran-estrechan-lazos-en-visita-presidencial/',
      'https://www.islahoy.example/2023/06/12/venezuela-e-iran-firman-documentos-de-cooperacion-energetica/',
      'https://www.islahoy.example/2023/06/10/cumbre-del-alba-en-la-habana-analiza-agenda-regional/',
      'https://www.islahoy.example/2023/06/09/zafra-azucarera-cierra-por-debajo-del-plan/',
    ]);
    // The guess is usable as a listing source's articlePattern as it stands.
    expect(parseListing(html, base, guess?.pattern ?? '').map((ref) => ref.url)).toEqual(guess?.matches);
  });

  it('recognizes long slugs without dates, and leaves other hosts out', () => {
    const html = `
      <a href="/news/Iran-Venezuela-Sign-20-Year-Cooperation-Plan-20220611-0012.html">a</a>
      <a href="/news/Raisi-Arrives-in-Havana-Final-Stop-of-Tour-20230615-0021.html">b</a>
      <a href="/news/Nicaragua-and-Iran-Pledge-Closer-Ties-20230613-0030.html">c</a>
      <a href="/news/world">World</a> <a href="/news/latin-america">Latin America</a>
      <a href="https://other.example/news/Some-Long-Headline-Slug-Here.html">elsewhere</a>`;
    const guess = guessArticlePattern(html, 'https://www.surglobal.example/');
    expect(guess?.pattern).toBe('^https://www\\.surglobal\\.example/news/[^/_-]+(?:[-_]+[^/_-]+){2,}/?$');
    expect(guess?.matches).toHaveLength(3);
  });

  it('gives up when fewer than three links share an article-like shape', () => {
    const html = '<a href="/2023/06/15/one-article-only-here/">x</a><a href="/seccion/deportes/">Deportes</a><a href="/about">About</a>';
    expect(guessArticlePattern(html, 'https://www.islahoy.example/')).toBeUndefined();
  });
});
