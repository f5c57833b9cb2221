import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import { parseFeed } from '../../src/parsers/feed.js';
import { startServer, type TestServer } from '../helpers/http.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('parseFeed: hostile XML', () => {
  let server: TestServer;
  let requests = 0;

  beforeAll(async () => {
    server = await startServer((_req, res) => {
      requests++;
      res.end('<!ENTITY leaked "FETCHED-BY-THE-PARSER">');
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('never expands a billion-laughs entity bomb', () => {
    const feed = parseFeed(fixture('feeds/billion-laughs.rss.xml'), 'https://attacker.example/feed.xml');
    const output = JSON.stringify(feed);
    expect(output).not.toContain('lollol');
    expect(output.length).toBeLessThan(1000);
    expect(feed.items).toEqual([
      { url: 'https://attacker.example/a/1.html', title: '&lol9;', publishedAt: '2023-06-12T10:00:00.000Z', summary: '&lol9; &lol9; &lol9;' },
    ]);
  });

  it('never reads a file named by an external entity', () => {
    const passwd = readFileSync('/etc/passwd', 'utf8');
    const feed = parseFeed(fixture('feeds/xxe.rss.xml'), 'https://attacker.example/feed.xml');
    const output = JSON.stringify(feed);
    for (const line of passwd.split('\n').filter((l) => l.length > 8)) expect(output).not.toContain(line);
    expect(output).not.toContain('root:');
    expect(feed.items[0]?.title).toBe('Secrets: &xxe;');
  });

  it('never fetches a URL named by an external entity or an external DTD', async () => {
    const xml = fixture('feeds/xxe.rss.xml')
      .replace('http://127.0.0.1:9/never-fetched.dtd', `${server.url}/entity.dtd`)
      .replace('<!DOCTYPE rss [', `<!DOCTYPE rss SYSTEM "${server.url}/rss.dtd" [`);
    const feed = parseFeed(xml, 'https://attacker.example/feed.xml');
    // Give a stray request time to arrive; the assertion is on the count, not on timing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toBe(0);
    expect(JSON.stringify(feed)).not.toContain('FETCHED-BY-THE-PARSER');
    expect(feed.items[0]?.summary).toBe('&remote; and again &xxe;');
  });
});

describe('parseFeed: malformed but partly readable', () => {
  const feed = parseFeed(fixture('feeds/truncated.rss.xml'), 'https://www.freeradio.example/api/latam.xml');

  it('returns the complete, well-formed items of a truncated feed', () => {
    expect(feed.format).toBe('rss');
    expect(feed.title).toBe('Free Radio Europe – Latin America');
    expect(feed.items).toEqual([
      {
        url: 'https://www.freeradio.example/a/raisi-begins-trip-venezuela/32452270.html',
        title: 'Iranian President Begins Latin America Trip In Venezuela',
        publishedAt: '2023-06-12T09:00:00.000Z',
      },
      {
        url: 'https://www.freeradio.example/a/iran-nicaragua-accords/32453900.html',
        title: 'Iran And Nicaragua Sign Accords During Raisi Visit',
        publishedAt: '2023-06-13T22:30:00.000Z',
      },
      {
        url: 'https://www.freeradio.example/a/qa-tehran-latin-america/32456650.html',
        title: 'Q&A: What Tehran Wants From Its Friends In Latin America',
        publishedAt: '2023-06-16T15:45:00.000Z',
      },
    ]);
  });

  it('says which items were dropped and why', () => {
    expect(feed.skipped).toHaveLength(3);
    expect(feed.skipped[0]).toMatch(/^document not well-formed/);
    expect(feed.skipped[1]).toMatch(/^item 3: malformed XML \(Expected closing tag 'title'/);
    expect(feed.skipped[2]).toBe('1 item without a closing tag');
  });

  it('reads a truncated Atom feed the same way', () => {
    const xml = '<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>' +
      '<entry><title>Whole</title><link href="https://e.example/1"/></entry>' +
      '<entry><title>Cut</title><link href="https://e.exa';
    const result = parseFeed(xml, 'https://e.example/atom');
    expect(result.items).toEqual([{ url: 'https://e.example/1', title: 'Whole' }]);
    expect(result.title).toBe('T');
  });

  it('accepts bare ampersands, a common publisher mistake, without dropping the item', () => {
    const xml = '<rss version="2.0"><channel><item><title>Iran & Bolivia: Q&A</title><link>https://f.example/a?x=1&y=2</link></item></channel></rss>';
    const result = parseFeed(xml, 'https://f.example/rss');
    expect(result.items).toEqual([{ url: 'https://f.example/a?x=1&y=2', title: 'Iran & Bolivia: Q&A' }]);
    expect(result.skipped).toEqual([]);
  });

  it('salvages the other items when one is nested deeper than the parser allows', () => {
    const deep = `${'<div>'.repeat(300)}${'</div>'.repeat(300)}`;
    const xml = `<rss version="2.0"><channel><item><link>https://k.example/1</link></item><item><link>https://k.example/2</link><description>${deep}</description><x>${deep}</x></item></channel></rss>`;
    const result = parseFeed(xml, 'https://k.example/rss');
    expect(result.items).toEqual([{ url: 'https://k.example/1' }]);
    expect(result.skipped[0]).toMatch(/^document not well-formed, items read one by one \(parse: unreadable XML \(Maximum nested tags exceeded/);
    expect(result.skipped[1]).toMatch(/^item 2: parse: unreadable XML/);
  });

  it('never lets element names reach Object.prototype', () => {
    const xml = '<rss version="2.0"><channel><item><link>https://k.example/1</link><__proto__><polluted>yes</polluted></__proto__><constructor>x</constructor></item><item><link>https://k.example/2</link></item></channel></rss>';
    const result = parseFeed(xml, 'https://k.example/rss');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(result.items.map((i) => i.url)).toEqual(['https://k.example/2']);
  });

  it('throws when a broken feed has no item to salvage', () => {
    expect(() => parseFeed('<rss version="2.0"><channel><title>Only a head</titl></channel></rss>', 'https://g.example/rss')).toThrow(
      /^parse: malformed rss feed with no readable items/,
    );
  });
});

describe('parseFeed: not a feed', () => {
  it.each([
    ['an HTML page', fixture('listing/prensalatina-like-section.html'), /^parse: not a feed \(an HTML page: https:\/\/h\.example\/feed\)$/],
    ['an empty body', '   \n', /^parse: not a feed \(empty document/],
    ['plain text', 'Service temporarily unavailable', /^parse: not a feed \(neither XML nor JSON/],
    ['JSON that is not a JSON Feed', fixture('feeds/not-a-feed.json'), /^parse: not a feed \(JSON without a JSON Feed version/],
    ['broken JSON', '{"version": "https://jsonfeed.org/version/1.1", "items": [', /^parse: not a feed \(invalid JSON/],
    ['another XML vocabulary', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', /^parse: not a feed \(root element <svg>/],
  ])('refuses %s with a PermanentError', (_what, text, message) => {
    let thrown: unknown;
    try {
      parseFeed(text, 'https://h.example/feed');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PermanentError);
    expect((thrown as Error).message).toMatch(message);
  });
});
