/**
 * Article page markup for the benchmark site: the chrome a real outlet wraps around ~5 KB of story text
 * (inline CSS and scripts, JSON-LD, menus, a ticker, related and most-read boxes, a newsletter appeal, icons),
 * padded with recommendation cards to a size drawn per page, so extraction works on ~35 KB like in the wild.
 */
import { anyHeadline, SECTIONS } from './prose.js';
import { createRandom, type Random } from './random.js';

/** What a page needs to know about its outlet and article. */
export interface PageInput {
  seed: number;
  outlet: { index: number; name: string; slug: string; feedPath: string; format: 'rss' | 'atom' };
  article: { index: number; path: string; title: string; section: string; publishedAt: string; paragraphs: string[]; author: string };
  /** Other articles of the outlet, for the related box and recommendations. */
  siblings: ReadonlyArray<{ path: string; title: string }>;
  /** `http://host:port` of the outlet. */
  base: string;
  /** Page size the padding aims at, in bytes. */
  targetBytes: number;
}

/** Most-read headlines that name Iran or Venezuela without being about their diplomacy: hard negatives in the chrome. */
const MOST_READ_NEGATIVES = [
  'Iran’s rial slides to a new low as currency traders brace for winter',
  'Venezuela’s oil exports rise for a third straight month',
  'Earthquake shakes southern Iran; no casualties reported',
  'Caracas metro reopens after week-long power fault',
  'Iran to face Brazil in a football friendly in São Paulo',
  'Venezuelan baseball league opens its season with record crowds',
  'Tehran air pollution closes schools for two days',
  'Opinion: What Venezuela’s election calendar means for the region',
];

const NAV = ['Home', 'World', 'Americas', 'Middle East', 'Iran', 'Venezuela', 'Africa', 'Europe', 'Asia', ...SECTIONS, 'Opinion', 'Video', 'Podcasts'];

/** Escapes text for HTML content and double-quoted attributes (and XML, which the feeds use it for). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** URL slug of a headline: ASCII, lowercase, hyphenated, at most 70 characters. */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 70);
}

/** Inline CSS: the same component rules each outlet has, in that outlet's colours and spacing (~5 KB). */
function stylesheet(random: Random): string {
  const hue = random.int(360);
  const accent = `hsl(${hue} 70% 38%)`;
  const components = ['site-header', 'brand', 'menu', 'menu-item', 'ticker', 'ticker-label', 'article', 'headline', 'standfirst', 'byline', 'dateline', 'figure', 'caption', 'body-copy', 'related', 'related-title', 'newsletter', 'newsletter-form', 'sidebar', 'most-read', 'rank', 'tags', 'tag', 'share', 'share-button', 'card', 'card-title', 'card-meta', 'footer', 'footer-links', 'legal', 'ad-slot', 'consent', 'icon'];
  const rules = [
    `:root{--accent:${accent};--ink:#1b1d21;--muted:#5d6470;--rule:#e3e5e8;--paper:#fff;--radius:${random.between(2, 8)}px;--gap:${random.between(12, 24)}px}`,
    '*,*::before,*::after{box-sizing:border-box}html{-webkit-text-size-adjust:100%}body{margin:0;font:16px/1.6 Georgia,"Times New Roman",serif;color:var(--ink);background:var(--paper)}',
    'a{color:inherit;text-decoration:none}a:hover{text-decoration:underline}img{max-width:100%;height:auto;display:block}',
  ];
  for (const name of components) {
    const pad = random.between(4, 24);
    const size = random.between(12, 20);
    rules.push(`.${name}{display:${random.pick(['block', 'flex', 'grid'])};padding:${pad}px ${pad + 4}px;margin:0 0 var(--gap);font-size:${size}px;line-height:${(1.3 + random.int(5) / 10).toFixed(1)};border-bottom:1px solid var(--rule)}`);
    rules.push(`.${name}--highlight{background:hsl(${hue} 60% 96%);border-left:4px solid var(--accent);color:var(--ink)}`);
    rules.push(`@media (max-width:${random.pick([640, 720, 768])}px){.${name}{padding:${Math.max(2, pad - 6)}px;font-size:${size - 1}px}}`);
  }
  rules.push('.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}');
  return rules.join('\n');
}

/** Analytics, consent and ad-slot scripts of the kind outlets inline in their heads (~4 KB). */
function scripts(random: Random, input: PageInput): string {
  const property = `BN-${String(100000 + random.int(900000))}-${random.between(1, 9)}`;
  const slots = Array.from({ length: random.between(8, 14) }, (_, i) => ({
    id: `ad-slot-${i + 1}`,
    sizes: random.sample([[300, 250], [728, 90], [970, 250], [320, 50], [300, 600], [160, 600]], 2),
    targeting: { section: input.article.section.toLowerCase(), pos: i === 0 ? 'top' : `mid${i}`, refresh: random.chance(0.5) },
  }));
  return [
    `<script>window.dataLayer=window.dataLayer||[];function track(){dataLayer.push(arguments)}track("js",Date.now());track("config","${property}",{anonymize_ip:true,page_path:"${input.article.path}",content_group:"${input.article.section}",author:"${escapeHtml(input.article.author)}"});</script>`,
    `<script>(function(w,d){var q=w.__consentQueue=w.__consentQueue||[];w.consent=function(){q.push(arguments)};var s=d.createElement("script");s.async=true;s.src="/assets/consent.${random.int(1e6).toString(36)}.js";d.head.appendChild(s);w.consent("default",{ads:"denied",analytics:"denied",wait_for_update:500});})(window,document);</script>`,
    `<script>var adConfig=${JSON.stringify({ network: random.int(1e8), lazyLoad: { fetchMarginPercent: 200, renderMarginPercent: 100 }, slots })};function defineSlots(c){for(var i=0;i<c.slots.length;i++){var s=c.slots[i];window.adQueue=window.adQueue||[];window.adQueue.push({id:s.id,sizes:s.sizes,targeting:s.targeting})}}defineSlots(adConfig);</script>`,
    `<script>(function(){var start=performance.now();window.addEventListener("load",function(){var t=Math.round(performance.now()-start);navigator.sendBeacon&&navigator.sendBeacon("/beacon",JSON.stringify({t:t,p:location.pathname,v:"${random.int(1e6).toString(16)}"}))});document.addEventListener("scroll",function(){var h=document.documentElement;var depth=Math.round(100*(h.scrollTop+h.clientHeight)/h.scrollHeight);if(depth>75&&!window.__deep){window.__deep=1;track("event","scroll_75")}},{passive:true})})();</script>`,
  ].join('\n');
}

const ICONS: Record<string, string> = {
  menu: '<path d="M3 6h18M3 12h18M3 18h18" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
  search: '<circle cx="10.5" cy="10.5" r="6.5" fill="none" stroke="currentColor" stroke-width="2"/><path d="M15.5 15.5 21 21" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
  share: '<circle cx="18" cy="5" r="3"/><circle cx="6" cy="12" r="3"/><circle cx="18" cy="19" r="3"/><path d="m8.6 13.5 6.8 4M15.4 6.5l-6.8 4" stroke="currentColor" stroke-width="2"/>',
  mail: '<rect x="3" y="5" width="18" height="14" rx="2" fill="none" stroke="currentColor" stroke-width="2"/><path d="m3 7 9 6 9-6" fill="none" stroke="currentColor" stroke-width="2"/>',
  link: '<path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>',
  chat: '<path d="M4 4h16v11H9l-5 4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/><circle cx="9" cy="9.5" r="1"/><circle cx="12" cy="9.5" r="1"/><circle cx="15" cy="9.5" r="1"/>',
  bell: '<path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/>',
};

function icon(name: string): string {
  return `<svg class="icon icon-${name}" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">${ICONS[name] ?? ''}</svg>`;
}

function card(random: Random, input: PageInput, sibling: { path: string; title: string } | undefined): string {
  const title = sibling?.title ?? anyHeadline(random);
  const href = sibling ? `${input.base}${sibling.path}` : `${input.base}/${input.outlet.slug}/${slugify(title)}-${random.int(1e6)}`;
  const image = `${input.base}/media/${random.int(1e9).toString(36)}`;
  return `<article class="card"><a class="card-link" href="${href}"><img src="${image}-480.jpg" srcset="${image}-480.jpg 480w, ${image}-960.jpg 960w" sizes="(max-width:640px) 100vw, 33vw" alt="" loading="lazy" width="480" height="270"><h3 class="card-title">${escapeHtml(title)}</h3></a><p class="card-meta"><span class="card-section">${random.pick(SECTIONS)}</span> · <time>${random.between(1, 23)} hours ago</time></p></article>`;
}

/** One article page, the same bytes for the same input. */
export function renderArticlePage(input: PageInput): string {
  const random = createRandom(input.seed, input.outlet.index, input.article.index, 7);
  const outletRandom = createRandom(input.seed, input.outlet.index, 3);
  const { article, outlet, base } = input;
  const url = `${base}${article.path}`;
  const description = (article.paragraphs[0] ?? '').slice(0, 180);
  const feedType = outlet.format === 'rss' ? 'application/rss+xml' : 'application/atom+xml';
  const jsonLd = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: article.title,
    datePublished: article.publishedAt,
    dateModified: article.publishedAt,
    author: [{ '@type': 'Person', name: article.author }],
    publisher: { '@type': 'Organization', name: outlet.name, logo: { '@type': 'ImageObject', url: `${base}/${outlet.slug}/logo.png` } },
    mainEntityOfPage: { '@type': 'WebPage', '@id': url },
    articleSection: article.section,
    inLanguage: 'en',
  };
  const related = input.siblings.slice(0, 4);
  const relatedBox = `<aside class="related" aria-label="Related News"><h2 class="related-title">Related News</h2><ul>${related.map((s) => `<li><a href="${base}${s.path}">${escapeHtml(s.title)}</a></li>`).join('')}</ul></aside>`;
  const newsletter = `<div class="newsletter"><p><strong>Get the morning briefing.</strong> The day’s essential stories from ${escapeHtml(outlet.name)}, in your inbox before 7 a.m. Independent journalism depends on readers like you: subscribe or support us today.</p><form class="newsletter-form" action="/newsletter" method="post"><label class="visually-hidden" for="nl-email">Email</label><input id="nl-email" type="email" name="email" placeholder="you@example.com"><button type="submit">${icon('mail')}Sign up</button></form></div>`;
  const body: string[] = [];
  article.paragraphs.forEach((paragraph, i) => {
    body.push(`<p>${escapeHtml(paragraph)}</p>`);
    if (i === 2) body.push(relatedBox);
    if (i === 4) body.push(newsletter);
  });
  const mostRead = [random.pick(MOST_READ_NEGATIVES), ...Array.from({ length: 3 }, () => anyHeadline(random)), random.pick(MOST_READ_NEGATIVES)];
  const tags = [article.section, ...random.sample(['World', 'Analysis', 'Live', 'Explainer', 'Data', 'Local', 'International'], 3)];
  const published = new Date(article.publishedAt);
  const head = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(article.title)} | ${escapeHtml(outlet.name)}</title>
<meta name="description" content="${escapeHtml(description)}">
<link rel="canonical" href="${url}">
<link rel="alternate" type="${feedType}" title="${escapeHtml(outlet.name)}" href="${base}${outlet.feedPath}">
<meta property="og:type" content="article">
<meta property="og:title" content="${escapeHtml(article.title)}">
<meta property="og:description" content="${escapeHtml(description)}">
<meta property="og:url" content="${url}">
<meta property="og:site_name" content="${escapeHtml(outlet.name)}">
<meta property="og:image" content="${base}/media/${outlet.slug}-${article.index}-1200.jpg">
<meta property="article:published_time" content="${article.publishedAt}">
<meta property="article:section" content="${article.section}">
<meta name="twitter:card" content="summary_large_image">
<style>
${stylesheet(outletRandom)}
</style>
${scripts(random, input)}
<script type="application/ld+json">${JSON.stringify(jsonLd)}</script>
</head>`;
  const header = `<body class="article-page">
<a class="visually-hidden" href="#main">Skip to content</a>
<header class="site-header"><button class="menu-toggle" aria-label="Menu">${icon('menu')}</button><a class="brand" href="${base}/${outlet.slug}/">${escapeHtml(outlet.name)}</a><button class="search-toggle" aria-label="Search">${icon('search')}</button><a class="alerts" href="/alerts">${icon('bell')}Alerts</a></header>
<nav class="menu" aria-label="Sections"><ul>${NAV.map((item) => `<li class="menu-item"><a href="${base}/${outlet.slug}/section/${slugify(item)}">${item}</a></li>`).join('')}</ul></nav>
<div class="ticker" role="marquee"><span class="ticker-label">Breaking</span> <a href="${base}/${outlet.slug}/live">${escapeHtml(anyHeadline(random))}</a> · <a href="${base}/${outlet.slug}/live">${escapeHtml(anyHeadline(random))}</a></div>`;
  const main = `<main id="main" class="layout">
<article class="article">
<header><p class="dateline"><a href="${base}/${outlet.slug}/section/${slugify(article.section)}">${article.section}</a></p><h1 class="headline">${escapeHtml(article.title)}</h1>
<p class="byline">By <a rel="author" href="${base}/${outlet.slug}/authors/${slugify(article.author)}">${escapeHtml(article.author)}</a> · <time datetime="${article.publishedAt}">${published.toUTCString()}</time></p></header>
<figure class="figure"><img src="${base}/media/${outlet.slug}-${article.index}-960.jpg" alt="" width="960" height="540"><figcaption class="caption">File photo. Photo: ${escapeHtml(outlet.name)} staff</figcaption></figure>
<div class="body-copy">
${body.join('\n')}
</div>
<ul class="tags">${tags.map((tag) => `<li class="tag"><a href="${base}/${outlet.slug}/tag/${slugify(tag)}">${tag}</a></li>`).join('')}</ul>
<div class="share">${['share', 'mail', 'link', 'chat'].map((name) => `<button class="share-button" aria-label="${name}">${icon(name)}</button>`).join('')}</div>
</article>
<aside class="sidebar"><section class="most-read"><h2>Most Read</h2><ol>${mostRead.map((title, i) => `<li><span class="rank">${i + 1}</span><a href="${base}/${outlet.slug}/${slugify(title)}">${escapeHtml(title)}</a></li>`).join('')}</ol></section><div class="ad-slot" id="ad-slot-2" data-sizes="300x600"></div></aside>
</main>`;
  const footer = `<footer class="footer"><nav class="footer-links">${['About us', 'Contact', 'Careers', 'Advertise', 'Corrections', 'Privacy policy', 'Cookie settings', 'Terms of use', 'RSS feeds', 'Newsletters'].map((item) => `<a href="${base}/${outlet.slug}/${slugify(item)}">${item}</a>`).join(' ')}</nav><p class="legal">© 2026 ${escapeHtml(outlet.name)}. All rights reserved. Reproduction without permission is prohibited.</p></footer>
<div class="consent" hidden><p>We use cookies to measure traffic and show relevant ads. You can change your choice at any time.</p><button>Accept</button><button>Reject</button></div>
</body>
</html>
`;
  // Recommendation cards take the page to its drawn size, as "More from" rails do on real pages.
  const cards: string[] = [];
  let size = Buffer.byteLength(head) + Buffer.byteLength(header) + Buffer.byteLength(main) + Buffer.byteLength(footer) + 120;
  let next = 4;
  while (size < input.targetBytes) {
    const item = card(random, input, input.siblings[next++]);
    cards.push(item);
    size += Buffer.byteLength(item) + 1;
  }
  const rail = `<section class="recommended" aria-label="More from ${escapeHtml(outlet.name)}"><h2>More from ${escapeHtml(outlet.name)}</h2>\n${cards.join('\n')}\n</section>`;
  return `${head}\n${header}\n${main}\n${rail}\n${footer}`;
}
