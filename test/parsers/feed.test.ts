import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_FEED_ITEMS, parseFeed } from '../../src/parsers/feed.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url), 'utf8');
const FEED_URL = 'https://www.freeradio.example/api/iran-feed.xml';

describe('parseFeed: RSS 2.0', () => {
  const feed = parseFeed(fixture('rferl-like-iran.rss.xml'), FEED_URL);

  it('detects the format and reads the channel', () => {
    expect(feed.format).toBe('rss');
    expect(feed.title).toBe('Free Radio Europe – Iran');
    expect(feed.siteUrl).toBe('https://www.freeradio.example/iran/');
  });

  it('returns every item with a usable link, in feed order', () => {
    expect(feed.items.map((i) => new URL(i.url).pathname)).toEqual([
      '/a/iran-raisi-venezuela-tour/32452281.html',
      '/a/raisi-ortega-managua-agreements/32453910.html',
      '/a/raisi-havana-diaz-canel/32455127.html',
      '/a/iran-rial-record-low/32460044.html',
      '/a/iaea-grossi-iran-access/32461870.html',
      '/a/bolivia-iran-defense-memorandum/32511209.html',
      '/a/iran-earthquake-kermanshah/32512001.html',
      '/a/iran-venezuela-20-year-plan-explainer/31893400.html',
    ]);
  });

  it('reads title, CDATA summary as plain text, RFC 822 date and guid', () => {
    expect(feed.items[0]).toEqual({
      url: 'https://www.freeradio.example/a/iran-raisi-venezuela-tour/32452281.html',
      title: 'Raisi Lands In Caracas As He Opens Three-Nation Latin American Tour',
      publishedAt: '2023-06-12T14:10:00.000Z',
      guid: 'https://www.freeradio.example/a/iran-raisi-venezuela-tour/32452281.html',
      summary:
        'Iranian President Ebrahim Raisi arrived in Caracas on June 12, the first stop of a trip that will also take him to Nicaragua and Cuba — three governments that, like Tehran, are under U.S. sanctions. Related: Iran ships condensate to Venezuela',
    });
  });

  it('resolves a relative link against the channel link and keeps a non-permalink guid as guid', () => {
    const managua = feed.items[1];
    expect(managua?.url).toBe('https://www.freeradio.example/a/raisi-ortega-managua-agreements/32453910.html');
    expect(managua?.guid).toBe('32453910');
    expect(managua?.publishedAt).toBe('2023-06-14T05:45:00.000Z');
    expect(managua?.summary).toBe('Nicaraguan leader Daniel Ortega hosted the Iranian president for talks the two sides said would widen trade & energy ties.');
  });

  it('uses a permalink guid when there is no link, and decodes numeric references in titles', () => {
    const havana = feed.items[2];
    expect(havana?.url).toBe('https://www.freeradio.example/a/raisi-havana-diaz-canel/32455127.html');
    expect(havana?.title).toBe('In Havana, Raisi And Díaz-Canel Pledge To Resist ‘Unilateral Sanctions’');
    expect(havana?.summary).toBe('The Cuban president received his Iranian counterpart at the Palace of the Revolution; the two governments signed several cooperation documents.');
    expect(havana?.publishedAt).toBe('2023-06-16T01:30:00.000Z');
  });

  it('trims whitespace around links, decodes HTML entities inside CDATA, and prefers description over content:encoded', () => {
    const plan = feed.items[7];
    expect(plan?.url).toBe('https://www.freeradio.example/a/iran-venezuela-20-year-plan-explainer/31893400.html');
    expect(plan?.summary).toContain('When Nicolás Maduro visited Tehran in June 2022');
    expect(feed.items[5]?.summary).not.toContain('Long body');
    expect(feed.items[4]?.title).toBe('IAEA Chief Says Inspectors Need "Far More" Access In Iran');
  });

  it('explains skipped items: a guid that is not a permalink, a javascript: link', () => {
    expect(feed.skipped).toEqual([
      'item 5 ("Live Blog: Our Newsroom Follows The Day\'s Events In Iran"): no usable http(s) link',
      'item 10 ("Listen: This Week’s Podcast"): no usable http(s) link',
    ]);
  });

  it('prefers feedburner:origLink over a feedproxy redirect, and uses it when nothing else links', () => {
    const xml = `<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><title>t</title>
      <item><title>Proxied</title><link>https://feedproxy.google.com/~r/site/~3/abc/</link>
        <feedburner:origLink>https://www.site.example/2023/06/12/raisi-caracas/</feedburner:origLink></item>
      <item><title>Direct</title><link>https://www.site.example/2023/06/13/direct/</link>
        <feedburner:origLink>https://www.site.example/elsewhere/</feedburner:origLink></item>
      <item><title>Only orig</title><guid isPermaLink="false">x-1</guid>
        <feedburner:origLink>/2023/06/15/only-orig/</feedburner:origLink></item>
    </channel></rss>`;
    expect(parseFeed(xml, 'https://www.site.example/feed/').items.map((i) => i.url)).toEqual([
      'https://www.site.example/2023/06/12/raisi-caracas/',
      'https://www.site.example/2023/06/13/direct/',
      'https://www.site.example/2023/06/15/only-orig/',
    ]);
  });

  it('uses the first <link> that is http(s) when an item has several', () => {
    const xml = '<rss version="2.0"><channel><item><link/><link>javascript:void(0)</link><link>https://a.example/2</link></item></channel></rss>';
    expect(parseFeed(xml, 'https://a.example/feed').items).toEqual([{ url: 'https://a.example/2' }]);
  });

  it('drops repeated links, keeping the first', () => {
    const xml = `<rss version="2.0"><channel>
      <item><title>First</title><link>https://a.example/1</link></item>
      <item><title>Again</title><link>https://a.example/1</link></item></channel></rss>`;
    const result = parseFeed(xml, 'https://a.example/feed');
    expect(result.items).toEqual([{ url: 'https://a.example/1', title: 'First' }]);
    expect(result.skipped).toEqual(['item 2: duplicate link https://a.example/1']);
  });

  it('resolves relative links against the feed URL when the channel has no link', () => {
    const xml = '<rss version="2.0"><channel><item><link>../news/1.html</link></item></channel></rss>';
    expect(parseFeed(xml, 'https://b.example/feeds/rss/main.xml').items[0]?.url).toBe('https://b.example/feeds/news/1.html');
  });

  it(`caps a feed at ${MAX_FEED_ITEMS} items`, () => {
    const items = Array.from({ length: MAX_FEED_ITEMS + 200 }, (_, i) => `<item><link>https://c.example/${i}</link></item>`).join('');
    const result = parseFeed(`<rss version="2.0"><channel>${items}</channel></rss>`, 'https://c.example/');
    expect(result.items).toHaveLength(MAX_FEED_ITEMS);
    expect(result.items.at(-1)?.url).toBe(`https://c.example/${MAX_FEED_ITEMS - 1}`);
    expect(result.skipped).toEqual([`200 items over the ${MAX_FEED_ITEMS}-item cap`]);
  });
});

describe('parseFeed: Atom 1.0', () => {
  const feed = parseFeed(fixture('mayadeen-like.atom.xml'), 'https://english.mayadeen.example/rss/politics.atom');

  it('reads the feed title and its alternate (not self) link', () => {
    expect(feed.format).toBe('atom');
    expect(feed.title).toBe('Mayadeen English (example) - Politics');
    expect(feed.siteUrl).toBe('https://english.mayadeen.example/politics');
  });

  it('prefers the text/html alternate link, resolved against xml:base, and published over updated', () => {
    expect(feed.items[0]).toEqual({
      url: 'https://english.mayadeen.example/news/politics/raisi-caracas-new-chapter',
      title: 'Iran’s president in Caracas: a new chapter with Venezuela',
      publishedAt: '2023-06-12T18:05:00.000Z',
      guid: 'tag:english.mayadeen.example,2023:news-681245',
      summary: 'Presidents Raisi and Maduro signed some two dozen cooperation documents and set a goal of raising bilateral trade to $20 billion.',
    });
  });

  it('resolves against an entry-level xml:base and falls back to updated; reads an xhtml summary', () => {
    expect(feed.items[1]).toMatchObject({
      url: 'https://english.mayadeen.example/latin-america/raisi-ortega-managua',
      publishedAt: '2023-06-14T02:10:00.000Z',
      summary: 'The Nicaraguan president called the visit historic & said both nations face the same pressure.',
    });
  });

  it('reads an xhtml title and uses content when there is no summary', () => {
    expect(feed.items[2]).toMatchObject({
      url: 'https://english.mayadeen.example/news/politics/raisi-havana-talks',
      title: 'Havana talks: Raisi meets Díaz-Canel',
      publishedAt: '2023-06-15T23:40:00.000Z',
      summary: 'The Cuban and Iranian presidents discussed energy, health and biotechnology.',
    });
  });

  it('skips an entry whose only link is rel="related"', () => {
    expect(feed.items).toHaveLength(4);
    expect(feed.skipped).toEqual(['item 5 ("Press release: conference schedule"): no usable http(s) link']);
  });
});

describe('parseFeed: RDF / RSS 1.0', () => {
  const feed = parseFeed(fixture('hispantv-like.rdf.xml'), 'https://www.hispantv.example/rss/america-latina.rdf');

  it('reads items that sit beside the channel, with accents intact', () => {
    expect(feed.format).toBe('rdf');
    expect(feed.title).toBe('HispanTV (ejemplo) — América Latina');
    expect(feed.items.map((i) => i.title)).toEqual([
      'Raisi llega a Caracas en el inicio de su gira por América Latina',
      'Irán y Nicaragua firman acuerdos de cooperación en Managua',
      'Raisi y Díaz-Canel reafirman en La Habana los lazos entre Irán y Cuba',
      'Bolivia e Irán firman un memorando de entendimiento en defensa y seguridad',
      'Persépolis gana el clásico de Teherán y lidera la liga iraní',
    ]);
  });

  it('reads dc:date, rdf:about as guid, and resolves a relative link against the channel link', () => {
    expect(feed.items[1]).toEqual({
      url: 'https://www.hispantv.example/noticias/nicaragua/571298/iran-nicaragua-acuerdos-managua',
      title: 'Irán y Nicaragua firman acuerdos de cooperación en Managua',
      publishedAt: '2023-06-14T00:20:00.000Z',
      guid: 'https://www.hispantv.example/noticias/nicaragua/571298/iran-nicaragua-acuerdos-managua',
      summary: 'Ortega calificó de «histórica» la visita del mandatario persa y anunció más vuelos y comercio.',
    });
    expect(feed.items[3]?.publishedAt).toBe('2023-07-20T09:35:00.000Z');
    expect(feed.items[4]?.publishedAt).toBe('2023-07-21T00:00:00.000Z');
  });
});

describe('parseFeed: JSON Feed 1.1', () => {
  const feed = parseFeed(fixture('telesur-like.feed.json'), 'https://www.telesur.example/feeds/mundo.json');

  it('reads the feed and its items', () => {
    expect(feed.format).toBe('json');
    expect(feed.title).toBe('teleSUR (ejemplo) – Mundo');
    expect(feed.siteUrl).toBe('https://www.telesur.example/');
    expect(feed.items[0]).toEqual({
      url: 'https://www.telesur.example/news/venezuela-iran-plan-cooperacion-20-anos-20220611-0012.html',
      title: 'Venezuela e Irán firman plan de cooperación por 20 años',
      publishedAt: '2022-06-11T18:30:00.000Z',
      guid: 'https://www.telesur.example/news/venezuela-iran-plan-cooperacion-20-anos-20220611-0012.html',
      summary: 'Los presidentes Nicolás Maduro y Ebrahim Raisi suscribieron en Teherán un plan que abarca petróleo, defensa y agricultura.',
    });
  });

  it('resolves a relative url, strips content_html, uses external_url and date_modified as fallbacks', () => {
    expect(feed.items[1]).toMatchObject({
      url: 'https://www.telesur.example/news/presidente-irani-inicia-gira-america-latina-20230612-0021.html',
      summary: 'Ebrahim Raisi visitará además Nicaragua y Cuba.',
    });
    expect(feed.items[2]).toMatchObject({
      url: 'https://www.cubadebate.example/noticias/2023/06/15/raisi-en-la-habana/',
      guid: '20230615',
      publishedAt: '2023-06-16T02:10:00.000Z',
    });
  });

  it('skips the item without a url', () => {
    expect(feed.items).toHaveLength(4);
    expect(feed.skipped).toEqual(['item 4 ("Nota sin enlace"): no usable http(s) link']);
  });

  it('accepts JSON Feed 1.0', () => {
    const json = JSON.stringify({ version: 'https://jsonfeed.org/version/1', title: 'Old', items: [{ id: '1', url: 'https://d.example/1' }] });
    expect(parseFeed(json, 'https://d.example/feed.json').items).toEqual([{ url: 'https://d.example/1', guid: '1' }]);
  });
});
