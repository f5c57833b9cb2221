import { createHash } from 'node:crypto';

/**
 * URL normalization: two links to the same article must give the same key, whichever feed, tracker
 * or AMP variant they came through. Pure: parsing and hashing only.
 */

/** Query parameters that only track the click, never select content. Compared in lower case. */
const TRACKING_PARAMS = new Set(['fbclid', 'gclid', 'mc_cid', 'mc_eid', 'ocid', 'cmpid', 'at_medium', 'at_campaign']);

function isTrackingParam(name: string, value: string): boolean {
  const key = name.toLowerCase();
  if (key.startsWith('utm_') || TRACKING_PARAMS.has(key)) return true;
  // AMP switches select a rendering of the same article, not another article.
  if (key === 'outputtype' && value.toLowerCase() === 'amp') return true;
  return key === 'amp' && (value === '' || value === '1' || value.toLowerCase() === 'true');
}

/** Drops AMP path markers: an `amp` segment anywhere (`/amp/…`, `…/amp`) and `.amp` before an extension or at the end. */
function foldAmpPath(path: string): string {
  const segments = path.split('/').filter((segment, index) => index === 0 || (segment !== '' && segment.toLowerCase() !== 'amp'));
  const last = segments.length - 1;
  if (last > 0) {
    const name = segments[last] ?? '';
    segments[last] = name.replace(/\.amp(?=\.[A-Za-z0-9]+$)|\.amp$/i, '');
  }
  const folded = segments.join('/');
  return folded === '' ? '/' : folded;
}

/**
 * The canonical form of an article URL: lower-case scheme and host, no default port, no fragment, no tracking
 * parameters, sorted query, no duplicate or trailing slashes, AMP variants folded onto the plain page.
 * `www.` is kept (some outlets serve different sites with and without it). A string that is not an absolute
 * http(s) URL is returned trimmed, so callers can still key on it.
 */
export function normalizeUrl(url: string): string {
  const trimmed = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return trimmed;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return trimmed;

  parsed.hash = '';
  parsed.username = '';
  parsed.password = '';
  if (parsed.hostname.startsWith('amp.') && parsed.hostname.split('.').length > 2) {
    parsed.hostname = parsed.hostname.slice('amp.'.length);
  }
  parsed.pathname = foldAmpPath(parsed.pathname);

  const kept = [...parsed.searchParams.entries()].filter(([name, value]) => !isTrackingParam(name, value));
  kept.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  parsed.search = kept.length === 0 ? '' : new URLSearchParams(kept).toString();

  return parsed.href;
}

/** Short stable key of a URL: the first 32 hex characters of sha256 over its normalized form. */
export function urlKey(url: string): string {
  return createHash('sha256').update(normalizeUrl(url)).digest('hex').slice(0, 32);
}
