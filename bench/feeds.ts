/**
 * Feed and listing parser benchmark: `npx tsx bench/feeds.ts [--iterations N]`. Prints documents parsed per
 * second and p50/p95 milliseconds for a 50-item RSS feed (whole and truncated), a 50-entry Atom feed, the
 * listing fixture and a large generated section page. Inputs are built from the test fixtures, so the numbers
 * measure our parsers on our own realistic documents.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseFeed } from '../src/parsers/feed.js';
import { parseListing } from '../src/parsers/listing.js';

const fixture = (path: string): string => readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8');

/** Repeats the fixture's items (with distinct links) until the feed holds `count` of them. */
function rssWithItems(count: number): string {
  const source = fixture('feeds/rferl-like-iran.rss.xml');
  const items = source.match(/<item>[\s\S]*?<\/item>/g) ?? [];
  const usable = items.filter((item) => item.includes('<link>https://'));
  const body = Array.from({ length: count }, (_, i) => (usable[i % usable.length] ?? '').replace(/\.html</, `-${i}.html<`)).join('\n');
  return source.replace(/<item>[\s\S]*<\/item>/, body);
}

function atomWithEntries(count: number): string {
  const source = fixture('feeds/mayadeen-like.atom.xml');
  const entries = source.match(/<entry[\s\S]*?<\/entry>/g) ?? [];
  const body = Array.from({ length: count }, (_, i) => (entries[i % 4] ?? '').replace(/(href="[^"]*?)"/g, `$1-${i}"`)).join('\n');
  return source.replace(/<entry[\s\S]*<\/entry>/, body);
}

/** A busy section page: the fixture's chrome around `count` teasers, each with an image link and a headline link. */
function bigListing(count: number): string {
  const page = fixture('listing/prensalatina-like-section.html');
  const teasers = Array.from(
    { length: count },
    (_, i) =>
      `<article class="teaser"><a href="/2023/06/${String((i % 28) + 1).padStart(2, '0')}/nota-${i}/"><img src="/img/${i}.jpg" alt=""></a>` +
      `<h2><a href="/2023/06/${String((i % 28) + 1).padStart(2, '0')}/nota-${i}/">Titular número ${i} sobre Irán y América Latina</a></h2>` +
      `<p>Resumen de la nota ${i}, con <a href="/etiqueta/tema-${i % 9}/">etiqueta</a>.</p></article>`,
  ).join('\n');
  return page.replace('<main>', `<main>${teasers}`);
}

interface Result {
  name: string;
  perSecond: number;
  p50: number;
  p95: number;
}

function measure(name: string, iterations: number, run: () => unknown): Result {
  for (let i = 0; i < Math.min(50, iterations); i++) run();
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return { name, perSecond: (iterations / total) * 1000, p50: at(0.5), p95: at(0.95) };
}

const iterationsArg = process.argv.indexOf('--iterations');
const iterations = iterationsArg === -1 ? 500 : Number(process.argv[iterationsArg + 1]);

const rss = rssWithItems(50);
const truncatedRss = rss.slice(0, Math.floor(rss.length * 0.9));
const atom = atomWithEntries(50);
const listing = fixture('listing/prensalatina-like-section.html');
const big = bigListing(150);
const articlePattern = '^https://www\\.prensalatina\\.example/(\\d{4}/\\d{2}/\\d{2}/[a-z0-9-]+/$|noticia\\.php\\?id=\\d+)';
const listingUrl = 'https://www.prensalatina.example/seccion/medio-oriente/';

const checks = [
  ['RSS items', parseFeed(rss, 'https://www.freeradio.example/api/iran.xml').items.length],
  ['truncated RSS items', parseFeed(truncatedRss, 'https://www.freeradio.example/api/iran.xml').items.length],
  ['Atom entries', parseFeed(atom, 'https://english.mayadeen.example/feed').items.length],
  ['listing links', parseListing(listing, listingUrl, articlePattern).length],
  ['big listing links', parseListing(big, listingUrl, articlePattern).length],
] as const;

const results = [
  measure(`RSS 2.0, 50 items (${(rss.length / 1024).toFixed(0)} KB)`, iterations, () => parseFeed(rss, 'https://www.freeradio.example/api/iran.xml')),
  measure('RSS 2.0, 50 items, truncated (lenient path)', iterations, () => parseFeed(truncatedRss, 'https://www.freeradio.example/api/iran.xml')),
  measure(`Atom 1.0, 50 entries (${(atom.length / 1024).toFixed(0)} KB)`, iterations, () => parseFeed(atom, 'https://english.mayadeen.example/feed')),
  measure(`listing fixture (${(listing.length / 1024).toFixed(0)} KB)`, iterations, () => parseListing(listing, listingUrl, articlePattern)),
  measure(`listing, 150 teasers (${(big.length / 1024).toFixed(0)} KB)`, iterations, () => parseListing(big, listingUrl, articlePattern)),
];

console.log(`node ${process.version}, ${iterations} iterations each`);
console.log(checks.map(([what, n]) => `${what}: ${n}`).join(', '));
console.log(['document'.padEnd(48), 'per second'.padStart(11), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8)].join(''));
for (const r of results) {
  console.log([r.name.padEnd(48), r.perSecond.toFixed(0).padStart(11), r.p50.toFixed(3).padStart(8), r.p95.toFixed(3).padStart(8)].join(''));
}
