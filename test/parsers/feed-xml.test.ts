import { describe, expect, it } from 'vitest';
import { decodeEntities, elementBlocks, htmlToText, resolveHttpUrl, rootElementName, stripDoctype } from '../../src/parsers/xml.js';

describe('decodeEntities', () => {
  it('decodes the XML five, numeric references and common HTML names', () => {
    expect(decodeEntities('&lt;b&gt; &amp; &quot;x&quot; &apos;y&apos;')).toBe('<b> & "x" \'y\'');
    expect(decodeEntities('Raisi&#8217;s visit &#x2014; D&iacute;az-Canel &ntilde; &Ccedil; &laquo;ok&raquo;&nbsp;!')).toBe('Raisi’s visit — Díaz-Canel ñ Ç «ok»\u00a0!');
  });

  it('decodes in one pass, so double-escaped text keeps one level', () => {
    expect(decodeEntities('&amp;lt;p&amp;gt; &amp;#8217;')).toBe('&lt;p&gt; &#8217;');
  });

  it('maps Windows-1252 code points written as references, and replaces impossible ones', () => {
    expect(decodeEntities('&#146;&#150;&#128;')).toBe('’–€');
    expect(decodeEntities('a&#0;b&#xD800;c&#1114112;')).toBe('a\ufffdb\ufffdc\ufffd');
  });

  it('leaves unknown names and bare ampersands as written', () => {
    expect(decodeEntities('&xxe; &lol9; Q&A &amp')).toBe('&xxe; &lol9; Q&A &amp');
  });
});

describe('htmlToText', () => {
  it('drops scripts, styles and comments, separates blocks and collapses whitespace', () => {
    const html = '<p>Raisi<br>in <b>Caracas</b></p><script>var a = "<p>x</p>";</script><style>p{}</style><!-- <p>hidden</p> --><p>Maduro&nbsp;&amp;&nbsp;Raisi</p>';
    expect(htmlToText(html)).toBe('Raisi in Caracas Maduro & Raisi');
  });

  it('keeps text that only looks like markup', () => {
    expect(htmlToText('Iran <-> Venezuela, 3 < 4 > 2')).toBe('Iran <-> Venezuela, 3 < 4 > 2');
  });
});

describe('XML helpers', () => {
  it('strips a DOCTYPE with an internal subset, including "]" and ">" inside quoted values', () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x]>y"><!ENTITY b SYSTEM \'file:///etc/passwd\'>]><rss/>';
    expect(stripDoctype(xml)).toBe('<?xml version="1.0"?><rss/>');
  });

  it('finds the root element past the prolog, comments and DOCTYPE', () => {
    expect(rootElementName('<?xml version="1.0"?>\n<!-- <feed> --><!DOCTYPE html><rdf:RDF xmlns:rdf="x">')).toBe('rdf:RDF');
  });

  it('splits complete blocks and counts those that lost their close tag', () => {
    const xml = '<c><item>1</item><item>2<item>3</item><item/><item>4';
    expect(elementBlocks(xml, 'item', 10)).toEqual({ blocks: ['<item>1</item>', '<item>3</item>', '<item/>'], truncated: 2 });
    expect(elementBlocks(xml, 'item', 1).blocks).toEqual(['<item>1</item>']);
    expect(elementBlocks('<items><itemize>', 'item', 10)).toEqual({ blocks: [], truncated: 0 });
  });

  it('resolves only to http(s) URLs', () => {
    expect(resolveHttpUrl(' /a/1.html ', 'https://x.example/feed/')).toBe('https://x.example/a/1.html');
    expect(resolveHttpUrl('data:text/html,hi', 'https://x.example/')).toBeUndefined();
    expect(resolveHttpUrl('http://[bad', undefined)).toBeUndefined();
    expect(resolveHttpUrl('', 'https://x.example/')).toBeUndefined();
  });
});
