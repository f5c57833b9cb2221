import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeUrl, urlKey } from '../../src/stories/url.js';

describe('normalizeUrl', () => {
  it.each([
    ['lower-cases scheme and host, keeps path case', 'HTTPS://News.Example.COM/World/Iran-Venezuela', 'https://news.example.com/World/Iran-Venezuela'],
    ['drops default ports', 'https://example.com:443/a', 'https://example.com/a'],
    ['drops the default http port', 'http://example.com:80/a', 'http://example.com/a'],
    ['keeps other ports', 'https://example.com:8443/a', 'https://example.com:8443/a'],
    ['drops the fragment', 'https://example.com/a#comments', 'https://example.com/a'],
    ['drops utm_* in any case', 'https://example.com/a?utm_source=rss&UTM_Medium=feed&utm_campaign=x', 'https://example.com/a'],
    ['drops click ids', 'https://example.com/a?fbclid=IwAR0&gclid=Cj0&ocid=msn&cmpid=rss', 'https://example.com/a'],
    ['drops mailchimp and AT Internet parameters', 'https://example.com/a?mc_cid=1&mc_eid=2&at_medium=social&at_campaign=x', 'https://example.com/a'],
    ['sorts remaining parameters', 'https://example.com/article?z=1&id=42&a=b', 'https://example.com/article?a=b&id=42&z=1'],
    ['sorts repeated parameters by value', 'https://example.com/a?tag=b&tag=a', 'https://example.com/a?tag=a&tag=b'],
    ['keeps content parameters next to trackers', 'https://example.com/news.php?id=981&utm_source=x', 'https://example.com/news.php?id=981'],
    ['removes the trailing slash', 'https://example.com/world/iran/', 'https://example.com/world/iran'],
    ['keeps the root slash', 'https://example.com/', 'https://example.com/'],
    ['adds the root slash', 'https://example.com', 'https://example.com/'],
    ['collapses duplicate slashes', 'https://example.com//world///iran//story', 'https://example.com/world/iran/story'],
    ['folds an /amp/ segment', 'https://example.com/amp/world/raisi-caracas', 'https://example.com/world/raisi-caracas'],
    ['folds a trailing /amp', 'https://example.com/world/raisi-caracas/amp', 'https://example.com/world/raisi-caracas'],
    ['folds a trailing /amp/', 'https://example.com/world/raisi-caracas/amp/', 'https://example.com/world/raisi-caracas'],
    ['folds .amp before an extension', 'https://example.com/world/raisi-caracas.amp.html', 'https://example.com/world/raisi-caracas.html'],
    ['folds a final .amp', 'https://example.com/news/12345.amp', 'https://example.com/news/12345'],
    ['folds an amp. host', 'https://amp.example.com/world/story', 'https://example.com/world/story'],
    ['keeps amp as a whole host name', 'https://amp.com/story', 'https://amp.com/story'],
    ['folds ?amp=1', 'https://example.com/story?amp=1', 'https://example.com/story'],
    ['folds a bare ?amp', 'https://example.com/story?amp', 'https://example.com/story'],
    ['folds ?outputType=amp', 'https://example.com/story?outputType=amp', 'https://example.com/story'],
    ['keeps other outputType values', 'https://example.com/story?outputType=print', 'https://example.com/story?outputType=print'],
    ['keeps www.', 'https://www.example.com/story', 'https://www.example.com/story'],
    ['drops credentials', 'https://user:pass@example.com/story', 'https://example.com/story'],
    ['trims whitespace', '  https://example.com/story \n', 'https://example.com/story'],
    ['does not fold words that merely contain amp', 'https://example.com/campaign/ampere.html', 'https://example.com/campaign/ampere.html'],
  ])('%s', (_name, input, expected) => {
    expect(normalizeUrl(input)).toBe(expected);
  });

  it('folds every AMP and tracking variant of one article onto the same URL', () => {
    const plain = 'https://www.example.com/world/2023/06/12/raisi-caracas';
    const variants = [
      'https://www.example.com/world/2023/06/12/raisi-caracas/',
      'https://www.example.com/amp/world/2023/06/12/raisi-caracas',
      'https://www.example.com/world/2023/06/12/raisi-caracas/amp?utm_source=twitter',
      'HTTPS://WWW.EXAMPLE.COM:443/world/2023/06/12/raisi-caracas?amp=1#top',
      'https://www.example.com/world//2023/06/12/raisi-caracas?fbclid=abc',
    ];
    for (const variant of variants) expect(normalizeUrl(variant)).toBe(plain);
  });

  it('is idempotent', () => {
    const once = normalizeUrl('https://amp.example.com/amp/a//b.amp.html?utm_source=x&b=2&a=1#f');
    expect(normalizeUrl(once)).toBe(once);
  });

  it('returns strings that are not absolute http(s) URLs trimmed and unchanged', () => {
    expect(normalizeUrl(' /relative/path ')).toBe('/relative/path');
    expect(normalizeUrl('mailto:desk@example.com')).toBe('mailto:desk@example.com');
  });
});

describe('urlKey', () => {
  it('is 32 lower-case hex characters', () => {
    expect(urlKey('https://example.com/a')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is equal for variants of one URL and different for different articles', () => {
    expect(urlKey('https://example.com/a?utm_source=rss')).toBe(urlKey('https://example.com/a/'));
    expect(urlKey('https://example.com/a')).not.toBe(urlKey('https://example.com/b'));
    expect(urlKey('https://example.com/a')).not.toBe(urlKey('https://www.example.com/a'));
  });

  it('is stable across releases (a changed key would re-alert every seen article)', () => {
    expect(urlKey('https://EXAMPLE.com/a/?utm_source=x')).toBe('2dce0a4c50441bfccfa9caf4b58c3cba');
    expect(urlKey('https://example.com/a')).toBe(createHash('sha256').update('https://example.com/a').digest('hex').slice(0, 32));
  });
});
