import { PermanentError } from '../errors.js';
import type { ArticleRef } from './types.js';
import { findTagEnd, parseAttributes } from './html-tags.js';
import { htmlToText, resolveHttpUrl } from './xml.js';

/** Links kept from one listing page; a section page lists dozens, so this only bounds hostile input. */
export const MAX_LISTING_LINKS = 2000;

/** Elements whose content is not markup: a link written inside them is text, not a link. */
const RAW_TEXT_ELEMENTS = new Set(['script', 'style', 'template', 'textarea', 'title', 'xmp']);

const TAG_NAME = /<([a-zA-Z][a-zA-Z0-9-]*)/y;
const ANCHOR_END = /<\/?a[\s>]/gi;

interface RawLink {
  href: string;
  text: string;
  titleAttribute: string | undefined;
}

/**
 * Article links on an HTML section page: every `<a href>` whose absolute URL (resolved against `<base href>`,
 * fragment removed) matches `pattern`, once each in page order, titled by the longest anchor text among its
 * duplicates (a teaser's image link and headline link point to the same article).
 */
export function parseListing(html: string, baseUrl: string, pattern: RegExp | string): ArticleRef[] {
  const matcher = compilePattern(pattern);
  const { links, baseHref } = scanLinks(html);
  const base = resolveHttpUrl(baseHref, baseUrl) ?? baseUrl;
  const found = new Map<string, { text: string; titleAttribute: string | undefined }>();
  for (const link of links) {
    const url = resolveHttpUrl(link.href, base);
    if (!url) continue;
    const withoutFragment = url.replace(/#.*$/, '');
    if (!matcher.test(withoutFragment)) continue;
    const known = found.get(withoutFragment);
    if (!known) {
      if (found.size >= MAX_LISTING_LINKS) break;
      found.set(withoutFragment, { text: link.text, titleAttribute: link.titleAttribute });
    } else {
      if (link.text.length > known.text.length) known.text = link.text;
      known.titleAttribute ??= link.titleAttribute;
    }
  }
  return [...found].map(([url, { text, titleAttribute }]) => {
    const title = text || titleAttribute;
    return title ? { url, title } : { url };
  });
}

function compilePattern(pattern: RegExp | string): RegExp {
  try {
    // A global or sticky regex would carry lastIndex from one test() to the next.
    return typeof pattern === 'string' ? new RegExp(pattern) : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  } catch (err) {
    throw new PermanentError(`parse: invalid articlePattern ${String(pattern)} (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * A small HTML tokenizer: enough to find `<a>` and `<base>` tags with quoted, single-quoted or unquoted
 * attributes in any case, while stepping over comments and raw-text elements such as `<script>`.
 */
function scanLinks(html: string): { links: RawLink[]; baseHref: string | undefined } {
  const links: RawLink[] = [];
  let baseHref: string | undefined;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    TAG_NAME.lastIndex = lt;
    const name = TAG_NAME.exec(html)?.[1]?.toLowerCase();
    if (name === undefined) {
      i = lt + 1;
      continue;
    }
    const attributesStart = lt + 1 + name.length;
    const tagEnd = findTagEnd(html, attributesStart);
    i = tagEnd + 1;
    if (RAW_TEXT_ELEMENTS.has(name)) {
      const close = new RegExp(`</${name}\\s*>`, 'gi');
      close.lastIndex = i;
      const m = close.exec(html);
      i = m ? m.index + m[0].length : html.length;
    } else if (name === 'base') {
      baseHref ??= parseAttributes(html.slice(attributesStart, tagEnd)).get('href');
    } else if (name === 'a') {
      const attributes = parseAttributes(html.slice(attributesStart, tagEnd));
      const href = attributes.get('href');
      if (href === undefined) continue;
      // An <a> ends at its </a>, or at the next <a> when the author forgot to close it.
      ANCHOR_END.lastIndex = i;
      const end = ANCHOR_END.exec(html)?.index ?? html.length;
      links.push({ href, text: htmlToText(html.slice(i, end)), titleAttribute: attributes.get('title')?.trim() || undefined });
    }
  }
  return { links, baseHref };
}
