import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { blockText, tidyPlainText } from '../../src/parsers/text.js';

function textOf(html: string): string {
  const dom = new JSDOM(`<body>${html}</body>`);
  try {
    return blockText(dom.window.document.body);
  } finally {
    dom.window.close();
  }
}

describe('blockText', () => {
  it('separates block elements by a blank line and keeps inline elements in the flow', () => {
    expect(textOf('<h2>Caracas</h2><p>Raisi <b>met</b> <a href="/m">Maduro</a>.</p><div>Second   block</div>')).toBe(
      'Caracas\n\nRaisi met Maduro.\n\nSecond block',
    );
  });

  it('turns <br> into a line break and puts list items on their own lines', () => {
    expect(textOf('<p>Line one<br>Line two</p><ul><li>Caracas</li><li>Managua</li><li>Havana</li></ul><p>After</p>')).toBe(
      'Line one\nLine two\n\nCaracas\nManagua\nHavana\n\nAfter',
    );
  });

  it('collapses whitespace and non-breaking spaces, decodes entities, drops zero-width characters', () => {
    expect(textOf('<p>  Tehran&nbsp;&amp;\n\t Caracas &#8212; 20\u200b-year   plan </p>')).toBe('Tehran & Caracas — 20-year plan');
  });

  it('skips scripts, styles and buttons that may remain in a subtree', () => {
    expect(textOf('<p>Kept</p><script>var x = 1;</script><style>p{}</style><button>Share</button>')).toBe('Kept');
  });

  it('separates table cells by a space and rows by a line', () => {
    expect(textOf('<table><tr><td>Iran</td><td>Venezuela</td></tr><tr><td>2022</td><td>plan</td></tr></table>')).toBe('Iran Venezuela\n2022 plan');
  });
});

describe('tidyPlainText', () => {
  it('keeps paragraph breaks, collapses spaces and blank-line runs', () => {
    expect(tidyPlainText('  One  para.\r\n\r\n\r\n\tTwo\u00a0 para. \nline ')).toBe('One para.\n\nTwo para.\nline');
  });
});
