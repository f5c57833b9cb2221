import { describe, expect, it } from 'vitest';
import { trimHtml } from '../../src/parsers/trim.js';

describe('trimHtml', () => {
  it('removes every dropped element kind and keeps the text around them', () => {
    const html = [
      '<p>one</p>',
      '<script>var a = "<p>hidden</p>";</script>',
      '<style>p { color: red }</style>',
      '<svg viewBox="0 0 1 1"><title>icon</title><path d="M0 0"/></svg>',
      '<noscript><img src="x.gif"></noscript>',
      '<template><p>later</p></template>',
      '<iframe src="https://ads.example/"></iframe>',
      '<!-- a comment with <p>markup</p> -->',
      '<p>two</p>',
    ].join('');
    expect(trimHtml(html).html).toBe('<p>one</p><p>two</p>');
  });

  it('matches tag names case-insensitively, with attributes, and leaves look-alike tags alone', () => {
    const html = '<SCRIPT type="text/javascript">x()</SCRIPT><Style media="all">a{}</STYLE><scripted>kept</scripted><svgx>kept too</svgx>';
    expect(trimHtml(html).html).toBe('<scripted>kept</scripted><svgx>kept too</svgx>');
  });

  it('returns JSON-LD script bodies in order and removes them from the page', () => {
    const html =
      '<head><script type="application/ld+json">{"@type":"NewsArticle"}</script>' +
      "<script TYPE='application/ld+json'> [1, 2] </script><script>notJson()</script></head><body>x</body>";
    const trimmed = trimHtml(html);
    expect(trimmed.jsonLd).toEqual(['{"@type":"NewsArticle"}', '[1, 2]']);
    expect(trimmed.html).toBe('<head></head><body>x</body>');
  });

  it('drops everything after an unclosed element or comment', () => {
    expect(trimHtml('<p>kept</p><script>never closed <p>lost</p>').html).toBe('<p>kept</p>');
    expect(trimHtml('<p>kept</p><!-- never closed <p>lost</p>').html).toBe('<p>kept</p>');
    expect(trimHtml('<p>kept</p><style>p{}</style').html).toBe('<p>kept</p>');
  });

  it('skips a self-closing svg or iframe without swallowing what follows', () => {
    expect(trimHtml('<svg/><p>a</p><iframe src="x" /><p>b</p>').html).toBe('<p>a</p><p>b</p>');
  });

  it('leaves a page without dropped elements untouched', () => {
    const html = '<html><body><article><p>Raisi in Caracas &amp; Havana</p></article></body></html>';
    expect(trimHtml(html)).toEqual({ html, jsonLd: [] });
  });
});
