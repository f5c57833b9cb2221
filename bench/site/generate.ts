/**
 * A deterministic local news site for benchmarks: N outlets × M articles, each outlet with an RSS 2.0 or Atom
 * feed listing its articles (published within the two days before `now`), each article a ~35 KB page. One
 * article in 40 is an Iran–Latin America diplomacy story, each a distinct event; the rest are general news.
 * Everything comes from a seeded PRNG: the same options give the same bytes.
 */
import { onTopicStory } from './on-topic.js';
import { escapeHtml, renderArticlePage, slugify } from './page.js';
import { offTopicStory } from './prose.js';
import { createRandom, type Random } from './random.js';

/** What to generate. */
export interface BenchSiteOptions {
  /** @defaultValue 100 */
  outlets?: number;
  /** Articles per outlet. @defaultValue 20 */
  articlesPerOutlet?: number;
  /** @defaultValue 1 */
  seed?: number;
  /** Reference time (ms since epoch); articles are published in the 48 hours before it. */
  now: number;
  /** One article in this many is on topic. @defaultValue 40 */
  onTopicEvery?: number;
  /** Items listed in a feed (newest first); a live site's feeds keep a window, not every article. @defaultValue all */
  feedItems?: number;
}

/** One article of the site. */
export interface BenchArticle {
  outletIndex: number;
  /** Index within its outlet. */
  index: number;
  /** Path on the outlet's host, e.g. `/harbour-herald/2026/11/22/storm-brings-flooding-3`. */
  path: string;
  title: string;
  section: string;
  author: string;
  /** ISO 8601. */
  publishedAt: string;
  paragraphs: string[];
  onTopic: boolean;
  /** For on-topic articles: which event it reports. */
  event?: { ordinal: number; country: string; actor: string; kind: string };
}

/** One outlet: its feed and its articles, newest first. */
export interface BenchOutlet {
  index: number;
  id: string;
  name: string;
  slug: string;
  format: 'rss' | 'atom';
  feedPath: string;
  articles: BenchArticle[];
}

/** The generated site; pages are rendered on demand, for a given base URL. */
export interface BenchSite {
  options: Required<BenchSiteOptions>;
  outlets: BenchOutlet[];
  /** Every article, outlet by outlet. */
  articles: BenchArticle[];
  renderFeed(outlet: BenchOutlet, base: string): string;
  renderArticle(article: BenchArticle, base: string): string;
}

const NAME_FIRST = ['Harbour', 'Northern', 'Daily', 'Evening', 'Coastal', 'Metro', 'Valley', 'Capital', 'Island', 'Prairie', 'Lakeside', 'Highland', 'Riverside', 'Union'];
const NAME_SECOND = ['Herald', 'Courier', 'Chronicle', 'Observer', 'Gazette', 'Dispatch', 'Ledger', 'Sentinel', 'Tribune', 'Post', 'Record', 'Bulletin'];
const AUTHORS = ['Amira Haddad', 'Jonas Weber', 'Lucía Fernández Ortiz', 'Samuel Okafor', 'Mei Lin Zhou', 'Olivia Brennan', 'Rafael Costa', 'Priya Nair', 'Henrik Dahl', 'Adaeze Nwosu', 'Tom Ashworth', 'Camila Rojas'];

const DAY_MS = 86_400_000;

function outletName(index: number): string {
  const first = NAME_FIRST[index % NAME_FIRST.length] as string;
  const second = NAME_SECOND[Math.floor(index / NAME_FIRST.length) % NAME_SECOND.length] as string;
  const round = Math.floor(index / (NAME_FIRST.length * NAME_SECOND.length));
  return round === 0 ? `${first} ${second}` : `${first} ${second} ${round + 1}`;
}

function rfc822(iso: string): string {
  return new Date(iso).toUTCString().replace('GMT', '+0000');
}

/** Builds the site model: outlets, articles, titles, texts and which ones are on topic. */
export function generateBenchSite(options: BenchSiteOptions): BenchSite {
  const resolved: Required<BenchSiteOptions> = { outlets: 100, articlesPerOutlet: 20, seed: 1, onTopicEvery: 40, feedItems: Number.POSITIVE_INFINITY, ...options };
  const { seed, now, onTopicEvery } = resolved;
  const perOutlet = resolved.articlesPerOutlet;
  const outlets: BenchOutlet[] = [];
  const articles: BenchArticle[] = [];
  for (let o = 0; o < resolved.outlets; o++) {
    const name = outletName(o);
    const slug = slugify(name);
    const format = o % 2 === 0 ? 'rss' : 'atom';
    const outlet: BenchOutlet = { index: o, id: `outlet-${String(o + 1).padStart(3, '0')}`, name, slug, format, feedPath: `/${slug}/${format === 'rss' ? 'rss.xml' : 'atom.xml'}`, articles: [] };
    for (let a = 0; a < perOutlet; a++) {
      const global = o * perOutlet + a;
      const block = Math.floor(global / onTopicEvery);
      // One position per block of `onTopicEvery` consecutive articles is on topic, so the rate is exact.
      const onTopic = global % onTopicEvery === createRandom(seed, 0x0b10c, block).int(onTopicEvery);
      const random = createRandom(seed, o, a, 1);
      const article = composeArticle(outlet, a, onTopic, block, random, (r) => new Date(now - r.between(5 * 60_000, 2 * DAY_MS - 60_000)).toISOString());
      outlet.articles.push(article);
      articles.push(article);
    }
    outlet.articles.sort((x, y) => y.publishedAt.localeCompare(x.publishedAt) || x.index - y.index);
    outlets.push(outlet);
  }

  function renderFeed(outlet: BenchOutlet, base: string): string {
    const home = `${base}/${outlet.slug}/`;
    const updated = outlet.articles[0]?.publishedAt ?? new Date(now).toISOString();
    const listed = outlet.articles.slice(0, resolved.feedItems);
    const summary = (article: BenchArticle): string => escapeHtml((article.paragraphs[0] ?? '').slice(0, 240));
    if (outlet.format === 'rss') {
      const items = listed.map(
        (article) => `    <item>
      <title>${escapeHtml(article.title)}</title>
      <link>${base}${article.path}</link>
      <guid isPermaLink="true">${base}${article.path}</guid>
      <pubDate>${rfc822(article.publishedAt)}</pubDate>
      <dc:creator>${escapeHtml(article.author)}</dc:creator>
      <category>${article.section}</category>
      <description>${summary(article)}</description>
    </item>`,
      );
      return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>${escapeHtml(outlet.name)}</title>
    <link>${home}</link>
    <atom:link href="${base}${outlet.feedPath}" rel="self" type="application/rss+xml"/>
    <description>Latest news from ${escapeHtml(outlet.name)}</description>
    <language>en</language>
    <lastBuildDate>${rfc822(updated)}</lastBuildDate>
${items.join('\n')}
  </channel>
</rss>
`;
    }
    const entries = listed.map(
      (article) => `  <entry>
    <title>${escapeHtml(article.title)}</title>
    <link rel="alternate" type="text/html" href="${base}${article.path}"/>
    <id>tag:${outlet.slug}.example,2026:${article.index + 1}</id>
    <published>${article.publishedAt}</published>
    <updated>${article.publishedAt}</updated>
    <author><name>${escapeHtml(article.author)}</name></author>
    <category term="${article.section}"/>
    <summary type="html">${summary(article)}</summary>
  </entry>`,
    );
    return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>${escapeHtml(outlet.name)}</title>
  <link rel="alternate" type="text/html" href="${home}"/>
  <link rel="self" type="application/atom+xml" href="${base}${outlet.feedPath}"/>
  <id>tag:${outlet.slug}.example,2026:feed</id>
  <updated>${updated}</updated>
${entries.join('\n')}
</feed>
`;
  }

  function renderArticle(article: BenchArticle, base: string): string {
    const outlet = outlets[article.outletIndex] as BenchOutlet;
    const siblings = outlet.articles.filter((other) => other !== article && !other.onTopic);
    const targetBytes = createRandom(seed, article.outletIndex, article.index, 5).between(32_000, 38_000);
    return renderArticlePage({ seed, outlet, article, siblings, base, targetBytes });
  }

  return { options: resolved, outlets, articles, renderFeed, renderArticle };
}

/**
 * Writes one article's model. The story is drawn before the date, from the same stream, so the generated site keeps
 * its bytes; `ordinal` picks the on-topic event.
 */
function composeArticle(outlet: BenchOutlet, index: number, onTopic: boolean, ordinal: number, random: Random, date: (random: Random) => string): BenchArticle {
  const story = onTopic ? onTopicStory(ordinal, random) : offTopicStory(random);
  const section = 'section' in story ? story.section : 'World';
  const publishedAt = date(random);
  const day = publishedAt.slice(0, 10).replace(/-/g, '/');
  const article: BenchArticle = {
    outletIndex: outlet.index,
    index,
    path: `/${outlet.slug}/${day}/${slugify(story.title)}-${index + 1}`,
    title: story.title,
    section,
    author: random.pick(AUTHORS),
    publishedAt,
    paragraphs: story.paragraphs,
    onTopic,
  };
  if ('country' in story) article.event = { ordinal, country: story.country, actor: story.actor, kind: story.kind };
  return article;
}

/** What to publish on a running site. */
export interface NewArticleOptions {
  /** On-topic articles report event `ordinal`; ordinals below DISTINCT_EVENTS never share a story. */
  onTopic: boolean;
  ordinal?: number;
  /** ISO 8601 publication time. */
  publishedAt: string;
}

/**
 * Adds a new article at the top of `outlet` (its feed lists it from the next render on) and returns it. Its text
 * is seeded from the outlet and the article's index, so a run that publishes the same sequence gets the same pages.
 */
export function publishBenchArticle(site: BenchSite, outlet: BenchOutlet, options: NewArticleOptions): BenchArticle {
  const index = outlet.articles.reduce((max, article) => Math.max(max, article.index), -1) + 1;
  const random = createRandom(site.options.seed, outlet.index, index, 1);
  const article = composeArticle(outlet, index, options.onTopic, options.ordinal ?? 0, random, () => options.publishedAt);
  outlet.articles.unshift(article);
  site.articles.push(article);
  return article;
}

/** Paths of the on-topic articles: the ground truth a scan should find. */
export function onTopicPaths(site: BenchSite): string[] {
  return site.articles.filter((article) => article.onTopic).map((article) => article.path);
}
