import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import { MAX_LISTING_LINKS, parseListing } from '../../src/parsers/listing.js';

const html = readFileSync(new URL('../fixtures/listing/prensalatina-like-section.html', import.meta.url), 'utf8');
const PAGE_URL = 'https://www.prensalatina.example/seccion/medio-oriente/';
const ARTICLE_PATTERN = '^https://www\\.prensalatina\\.example/(\\d{4}/\\d{2}/\\d{2}/[a-z0-9-]+/$|noticia\\.php\\?id=\\d+)';

describe('parseListing on a section page', () => {
  const refs = parseListing(html, PAGE_URL, ARTICLE_PATTERN);
  const paths = refs.map((r) => r.url.replace('https://www.prensalatina.example', ''));

  it('returns each matching article once, in page order', () => {
    expect(paths).toEqual([
      '/2023/06/16/copa-america-sorteo-grupos/',
      '/2023/06/16/cosecha-azucar-cuba/',
      '/2023/06/12/raisi-inicia-gira-latinoamericana-en-venezuela/',
      '/2023/06/13/iran-y-nicaragua-firman-acuerdos-en-managua/',
      '/2023/06/15/raisi-y-diaz-canel-firman-documentos-en-la-habana/',
      '/noticia.php?id=812345&sec=iran',
      '/2023/07/20/bolivia-e-iran-firman-memorando-en-defensa/',
      '/2023/06/14/libano-parlamento-sesion-presidencial/',
    ]);
  });

  it('ignores links in scripts, styles, comments and the title, and links that do not match', () => {
    const all = refs.map((r) => r.url).join(' ');
    for (const hidden of ['hidden-in-script', 'also-hidden', 'from-json-ld', 'in-css', 'draft-in-comment', 'not-a-link-in-title', '/seccion/', '/etiqueta/', 'otrositio', 'donaciones', 'boletin']) {
      expect(all).not.toContain(hidden);
    }
  });

  it('titles an article by its longest anchor text, over an image link and a comments link', () => {
    const raisi = refs.find((r) => r.url.endsWith('/raisi-inicia-gira-latinoamericana-en-venezuela/'));
    expect(raisi?.title).toBe('Presidente de Irán inicia en Venezuela gira por América Latina');
  });

  it('copes with uppercase tags, unquoted and single-quoted attributes, and ">" inside a quoted attribute', () => {
    expect(refs[3]).toEqual({
      url: 'https://www.prensalatina.example/2023/06/13/iran-y-nicaragua-firman-acuerdos-en-managua/',
      title: 'Irán y Nicaragua firman acuerdos de cooperación en Managua',
    });
    expect(refs[4]?.title).toBe('Raisi y Díaz-Canel firman documentos de cooperación en La Habana');
  });

  it('resolves relative links against <base href>, not the page URL', () => {
    expect(refs[4]?.url).toBe('https://www.prensalatina.example/2023/06/15/raisi-y-diaz-canel-firman-documentos-en-la-habana/');
  });

  it('decodes &amp; in hrefs', () => {
    expect(refs[5]).toEqual({ url: 'https://www.prensalatina.example/noticia.php?id=812345&sec=iran', title: 'Irán y Venezuela: el plan de 20 años, un año después' });
  });

  it('accepts the pattern as a RegExp, even a global one used twice', () => {
    const pattern = /prensalatina\.example\/2023\/06\/1[2-3]\//g;
    const first = parseListing(html, PAGE_URL, pattern).map((r) => r.url);
    const second = parseListing(html, PAGE_URL, pattern).map((r) => r.url);
    expect(first).toHaveLength(2);
    expect(second).toEqual(first);
  });
});

describe('parseListing details', () => {
  it('resolves against the page URL without <base>, removes fragments and keeps only http(s)', () => {
    const page = '<a href="../../2023/06/12/a/#top">A</a> <a href="ftp://x.example/2023/06/12/b/">B</a> <a href="javascript:go(\'/2023/06/12/c/\')">C</a>';
    expect(parseListing(page, 'https://n.example/section/iran/', '/2023/')).toEqual([{ url: 'https://n.example/2023/06/12/a/', title: 'A' }]);
  });

  it('uses the title attribute when no anchor has text, and leaves the title out when nothing names the link', () => {
    const page = '<a href="/2023/1/"><img src="x.jpg"></a><a href="/2023/2/" title="Raisi in Havana"><img src="y.jpg"></a>';
    expect(parseListing(page, 'https://n.example/', '/2023/')).toEqual([
      { url: 'https://n.example/2023/1/' },
      { url: 'https://n.example/2023/2/', title: 'Raisi in Havana' },
    ]);
  });

  it('ends an unclosed anchor at the next anchor', () => {
    const page = '<a href="/2023/1/">First headline <a href="/2023/2/">Second headline</a>';
    expect(parseListing(page, 'https://n.example/', '/2023/').map((r) => r.title)).toEqual(['First headline', 'Second headline']);
  });

  it('decodes entities in anchor text and collapses whitespace', () => {
    const page = '<a href="/2023/1/">\n  Iran&nbsp;&amp;&nbsp;Cuba:\n <b>Raisi&#8217;s</b> visit </a>';
    expect(parseListing(page, 'https://n.example/', '/2023/')[0]?.title).toBe('Iran & Cuba: Raisi’s visit');
  });

  it(`stops at ${MAX_LISTING_LINKS} distinct links`, () => {
    const page = Array.from({ length: MAX_LISTING_LINKS + 5 }, (_, i) => `<a href="/2023/${i}/">x</a>`).join('');
    expect(parseListing(page, 'https://n.example/', '/2023/')).toHaveLength(MAX_LISTING_LINKS);
  });

  it('refuses an invalid pattern with a PermanentError', () => {
    expect(() => parseListing('<a href="/x">x</a>', 'https://n.example/', '(unclosed')).toThrow(PermanentError);
  });
});
