import { JSDOM, VirtualConsole } from 'jsdom';
import { afterEach, describe, expect, it } from 'vitest';
import { extractMetadata, stripTitleSuffix, type PageMetadata } from '../../src/parsers/metadata.js';
import { trimHtml } from '../../src/parsers/trim.js';
import type { ExtractOptions } from '../../src/parsers/types.js';

const URL = 'https://news.example/world/2023/06/12/raisi-caracas';
const opened: JSDOM[] = [];

afterEach(() => {
  for (const dom of opened.splice(0)) dom.window.close();
});

function metadataOf(html: string, options: ExtractOptions = {}): PageMetadata {
  const trimmed = trimHtml(html);
  const dom = new JSDOM(trimmed.html, { url: URL, contentType: 'text/html', virtualConsole: new VirtualConsole() });
  opened.push(dom);
  return extractMetadata(dom.window.document, trimmed.jsonLd, URL, options);
}

const ldArticle = (fields: Record<string, unknown>): string =>
  `<script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@type': 'NewsArticle', ...fields })}</script>`;

const allDateSources = {
  jsonLd: ldArticle({ datePublished: '2023-06-12T10:00:00Z' }),
  meta: '<meta property="article:published_time" content="2023-06-12T11:00:00Z">',
  otherMeta: '<meta name="parsely-pub-date" content="2023-06-12T12:00:00Z">',
  time: '<article><h1>Raisi in Caracas</h1><time datetime="2023-06-12T13:00:00Z">12 June</time><p>Body.</p></article>',
  visible: '<h1>Raisi in Caracas</h1><p>Published 12 Jun 2023 15:00</p>',
};

function page(parts: Array<keyof typeof allDateSources>): string {
  const head = parts.filter((p) => p === 'jsonLd' || p === 'meta' || p === 'otherMeta').map((p) => allDateSources[p]);
  const body = parts.filter((p) => p === 'time' || p === 'visible').map((p) => allDateSources[p]);
  return `<html><head>${head.join('')}</head><body>${body.join('')}</body></html>`;
}

describe('extractMetadata: publishedAt order', () => {
  const fallback = { fallbackPublishedAt: 'Mon, 12 Jun 2023 14:00:00 GMT' };

  it('prefers JSON-LD datePublished over every other source', () => {
    const md = metadataOf(page(['jsonLd', 'meta', 'otherMeta', 'time', 'visible']), fallback);
    expect(md).toMatchObject({ publishedAt: '2023-06-12T10:00:00.000Z', publishedAtSource: 'json-ld' });
  });

  it('then article:published_time', () => {
    expect(metadataOf(page(['meta', 'otherMeta', 'time', 'visible']), fallback)).toMatchObject({
      publishedAt: '2023-06-12T11:00:00.000Z',
      publishedAtSource: 'meta',
    });
  });

  it('then the other common date metas', () => {
    expect(metadataOf(page(['otherMeta', 'time', 'visible']), fallback).publishedAt).toBe('2023-06-12T12:00:00.000Z');
    for (const name of ['pubdate', 'date', 'dc.date', 'sailthru.date']) {
      const md = metadataOf(`<head><meta name="${name}" content="2023-06-12T12:30:00Z"></head><body>x</body>`);
      expect(md.publishedAt, name).toBe('2023-06-12T12:30:00.000Z');
    }
  });

  it('then the first <time datetime> inside the article, ignoring one in a sidebar', () => {
    const html = `<body><aside><time datetime="2020-01-01T00:00:00Z">old</time></aside>${allDateSources.time}${allDateSources.visible}</body>`;
    expect(metadataOf(html, fallback)).toMatchObject({ publishedAt: '2023-06-12T13:00:00.000Z', publishedAtSource: 'time' });
  });

  it('then the feed date passed in as fallbackPublishedAt', () => {
    expect(metadataOf(page(['visible']), fallback)).toMatchObject({ publishedAt: '2023-06-12T14:00:00.000Z', publishedAtSource: 'fallback' });
  });

  it('and last a visible date near the headline, not one in the menu above it', () => {
    const html = `<body><nav>Today: 1 Jan 2024 08:00</nav>${allDateSources.visible}</body>`;
    expect(metadataOf(html)).toMatchObject({ publishedAt: '2023-06-12T15:00:00.000Z', publishedAtSource: 'visible' });
  });

  it('finds datePublished inside an @graph array, among other node types', () => {
    const graph = {
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'WebSite', name: 'Example News' },
        { '@type': ['ReportageNewsArticle'], headline: 'From the graph', datePublished: '2023-07-20T14:05:00-04:00' },
      ],
    };
    const md = metadataOf(`<head><script type="application/ld+json">${JSON.stringify(graph)}</script></head><body>x</body>`);
    expect(md).toMatchObject({ publishedAt: '2023-07-20T18:05:00.000Z', publishedAtSource: 'json-ld', title: 'From the graph' });
  });

  it('survives malformed JSON-LD and raw newlines inside JSON-LD strings', () => {
    const html =
      '<head><script type="application/ld+json">{ not json</script>' +
      '<script type="application/ld+json">{"@type":"BlogPosting","datePublished":"2023-02-04T11:20:00Z","articleBody":"Line one\nline two"}</script></head>';
    const md = metadataOf(html);
    expect(md.publishedAt).toBe('2023-02-04T11:20:00.000Z');
    expect(md.articleBody).toBe('Line one line two');
  });

  it('leaves publishedAt unset when nothing on the page is a date', () => {
    expect(metadataOf('<body><h1>No date here</h1><p>Nothing.</p></body>').publishedAt).toBeUndefined();
  });
});

describe('extractMetadata: canonical URL, title, language, names', () => {
  it('takes <link rel=canonical>, then og:url, and resolves them to absolute http(s) URLs', () => {
    expect(metadataOf('<head><link rel="canonical" href="https://news.example/a/1"><meta property="og:url" content="https://news.example/og"></head>').canonicalUrl).toBe(
      'https://news.example/a/1',
    );
    expect(metadataOf('<head><meta property="og:url" content="https://news.example/og"></head>').canonicalUrl).toBe('https://news.example/og');
    expect(metadataOf('<head><link rel="canonical" href="/a/relative"></head>').canonicalUrl).toBe('https://news.example/a/relative');
    expect(metadataOf('<head><link rel="canonical" href="javascript:void(0)"></head>').canonicalUrl).toBeUndefined();
  });

  it('takes og:title, then JSON-LD headline with entities decoded, then <title> without the site suffix', () => {
    expect(metadataOf(`<head><meta property="og:title" content="OG title">${ldArticle({ headline: 'LD' })}<title>T | Site</title></head>`).title).toBe('OG title');
    expect(metadataOf(`<head>${ldArticle({ headline: 'Iran&#039;s envoy in Havana' })}</head>`).title).toBe("Iran's envoy in Havana");
    expect(metadataOf('<head><title>Raisi begins Latin America tour in Caracas | Example News</title></head>').title).toBe(
      'Raisi begins Latin America tour in Caracas',
    );
  });

  it('strips one or two short site suffixes but never most of a title', () => {
    expect(stripTitleSuffix('Bolivia e Irán firman memorando | Noticias | teleSUR')).toBe('Bolivia e Irán firman memorando');
    expect(stripTitleSuffix('Iran and Venezuela sign deals - The Daily')).toBe('Iran and Venezuela sign deals');
    expect(stripTitleSuffix('Iran - Venezuela')).toBe('Iran - Venezuela');
  });

  it('reads the language from <html lang>, og:locale, content-language, then JSON-LD inLanguage', () => {
    expect(metadataOf('<html lang="pt-BR"><head><meta property="og:locale" content="es_ES"></head></html>').lang).toBe('pt');
    expect(metadataOf('<html><head><meta property="og:locale" content="es_ES"></head></html>').lang).toBe('es');
    expect(metadataOf('<html><head><meta http-equiv="Content-Language" content="en-US"></head></html>').lang).toBe('en');
    expect(metadataOf(`<html><head>${ldArticle({ inLanguage: 'es-VE' })}</head></html>`).lang).toBe('es');
    expect(metadataOf('<html lang="x-klingon"><body></body></html>').lang).toBeUndefined();
  });

  it('reads byline and site name from metas or JSON-LD author and publisher', () => {
    const md = metadataOf(`<head>${ldArticle({ author: [{ '@type': 'Person', name: 'A. Writer' }, 'B. Writer'], publisher: { '@type': 'Organization', name: 'Example Wire' } })}</head>`);
    expect(md).toMatchObject({ byline: 'A. Writer, B. Writer', siteName: 'Example Wire' });
    const metas = metadataOf('<head><meta name="author" content="Meta Author"><meta property="og:site_name" content="OG Site"></head>');
    expect(metas).toMatchObject({ byline: 'Meta Author', siteName: 'OG Site' });
  });
});
