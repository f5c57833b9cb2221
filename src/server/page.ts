import type { Story } from '../stories/types.js';
import type { SourceView, StoryQuery } from './stories.js';
import { storyOutlets } from './stories.js';
import { escapeHtml, highlight } from './text.js';

/** What the page shows. */
export interface PageData {
  stories: readonly Story[];
  sources: readonly SourceView[];
  query: StoryQuery;
  /** Appended to the page's own links (feeds, filters) when the reader authenticated with `?token=`. */
  token?: string;
}

/**
 * Names to mark in a story's reasons: the signature's actors and states, plus the surname of two- and
 * three-word personal names, since articles often name a minister by surname alone ("Raisi arrived…").
 * Longer names are institutions, whose last word ("Corps", "Company") means nothing alone.
 */
export function markTerms(story: Story): string[] {
  const terms = [...story.signature.iranActors, ...story.signature.latamStates];
  for (const actor of story.signature.iranActors) {
    const words = actor.split(/\s+/);
    const last = words[words.length - 1];
    if (words.length >= 2 && words.length <= 3 && last !== undefined && last.length >= 4) terms.push(last);
  }
  return terms;
}

/** `2023-06-12 14:05 UTC`: the same for every reader, whatever their locale. */
function formatTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : new Date(at).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function time(iso: string | undefined): string {
  return iso === undefined ? '' : `<time datetime="${escapeHtml(iso)}">${escapeHtml(formatTime(iso))}</time>`;
}

function chips(kind: string, values: readonly string[]): string {
  return values.map((value) => `<span class="chip ${kind}">${escapeHtml(value)}</span>`).join(' ');
}

function renderStory(story: Story): string {
  const terms = markTerms(story);
  const reasons = story.reasons.map((reason) => `<li>${highlight(reason, terms)}</li>`).join('');
  const articles = story.articles
    .map(
      (article) =>
        `<li><a href="${escapeHtml(article.url)}" rel="noreferrer noopener">${escapeHtml(article.title)}</a>` +
        ` <span class="outlet">${escapeHtml(article.outlet)}</span> ${time(article.publishedAt ?? article.addedAt)}` +
        `<div class="join">${escapeHtml(article.joinReason)}</div></li>`,
    )
    .join('');
  return `<article class="story" id="story-${escapeHtml(story.id)}">
<h2><a href="${escapeHtml(story.url)}" rel="noreferrer noopener">${escapeHtml(story.title)}</a></h2>
<p class="meta"><span class="outlets">${escapeHtml(storyOutlets(story).join(' · '))}</span> ${time(story.publishedAt ?? story.createdAt)}</p>
<p class="tags">${chips('country', story.signature.latamStates)} ${chips('actor', story.signature.iranActors)}</p>
${reasons ? `<ul class="reasons">${reasons}</ul>` : ''}
<details${story.articles.length > 1 ? ' open' : ''}><summary>${story.articles.length} article${story.articles.length === 1 ? '' : 's'}</summary><ul class="articles">${articles}</ul></details>
</article>`;
}

function renderSource(source: SourceView): string {
  const health = source.health;
  let state: string;
  if (source.status === 'failing') {
    const since = health?.lastSuccessAt ? `since ${time(health.lastSuccessAt)}` : 'never succeeded';
    const failures = health?.consecutiveFailures ?? 0;
    state = `failing ${since} <span class="muted">(${failures} failed poll${failures === 1 ? '' : 's'})</span>`;
    if (health?.lastError) state += `<div class="error">${escapeHtml(health.lastError)}</div>`;
  } else if (source.status === 'ok') {
    state = `ok ${time(health?.lastSuccessAt)}`;
  } else {
    state = escapeHtml(source.status);
  }
  const status = source.status.replace(' ', '-');
  return `<li class="source ${status}"><span class="dot" aria-hidden="true"></span><div><strong>${escapeHtml(source.name)}</strong> <span class="state">${state}</span></div></li>`;
}

function withToken(path: string, token: string | undefined): string {
  return token === undefined ? path : `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fafaf7;--fg:#1d1d1b;--muted:#6b6b66;--card:#fff;--line:#e2e1da;--accent:#0b6e4f;--bad:#b3261e;--mark:#ffe58a}
@media (prefers-color-scheme:dark){:root{--bg:#161614;--fg:#ecebe6;--muted:#a3a29b;--card:#1f1f1c;--line:#34332e;--accent:#5cc8a0;--bad:#ff8a80;--mark:#6b5a00}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
header{padding:1rem 0;border-bottom:1px solid var(--line)}.wrap{max-width:72rem;margin:0 auto;padding:0 1rem}header h1{margin:0;font-size:1.25rem}header p{margin:.25rem 0 0;color:var(--muted)}
header nav a{margin-right:1rem}a{color:var(--accent)}
form{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}input{font:inherit;padding:.35rem .5rem;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg);min-width:0;flex:1 1 9rem}
button{font:inherit;padding:.35rem .9rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff}
.layout{display:grid;gap:1rem;padding:1rem;max-width:72rem;margin:0 auto}
@media (min-width:900px){.layout{grid-template-columns:minmax(0,1fr) 20rem}}
.story,.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem;margin-bottom:1rem;overflow-wrap:anywhere}
.story h2{font-size:1.1rem;margin:0 0 .25rem}.meta{margin:0;color:var(--muted);font-size:.9rem}
.tags{margin:.5rem 0}.chip{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.85rem;margin:0 .15rem .25rem 0;border:1px solid var(--line)}
.chip.country{background:rgba(11,110,79,.12)}.chip.actor{background:rgba(180,120,0,.14)}
.reasons{margin:.5rem 0;padding-left:1.1rem;font-size:.95rem}mark{background:var(--mark);color:inherit;padding:0 .1em;border-radius:3px}
details summary{cursor:pointer;color:var(--muted);font-size:.9rem}.articles{padding-left:1.1rem;font-size:.9rem}.join{color:var(--muted);font-size:.85rem}
.outlet{font-weight:600}.panel h2{font-size:1rem;margin:0 0 .5rem}.panel ul{list-style:none;margin:0;padding:0}
.source{display:flex;gap:.5rem;align-items:flex-start;padding:.35rem 0;border-top:1px solid var(--line);font-size:.9rem}.source:first-child{border-top:0}
.dot{flex:none;width:.7rem;height:.7rem;border-radius:50%;margin-top:.4rem;background:var(--muted)}.ok .dot{background:var(--accent)}.failing .dot{background:var(--bad)}
.failing .state{color:var(--bad)}.error{font-size:.8rem;color:var(--muted)}.muted,.empty{color:var(--muted)}
`;

/** The server-rendered page: latest stories with their evidence, and the sources' health. No scripts. */
export function renderPage(data: PageData): string {
  const { query, token } = data;
  const stories = data.stories.length > 0 ? data.stories.map(renderStory).join('\n') : '<p class="empty">No stories yet.</p>';
  const sources = data.sources.length > 0 ? `<ul>${data.sources.map(renderSource).join('')}</ul>` : '<p class="empty">No sources configured.</p>';
  const field = (name: string, label: string, value: string | undefined) =>
    `<input name="${name}" placeholder="${label}" aria-label="${label}" value="${escapeHtml(value ?? '')}">`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>diplowatch</title>
<link rel="alternate" type="application/atom+xml" title="diplowatch stories" href="${escapeHtml(withToken('/feed.xml', token))}">
<style>${STYLE}</style>
</head>
<body>
<header><div class="wrap">
<h1>diplowatch</h1>
<p>New stories about diplomacy between Iran and Latin America.</p>
<nav><a href="${escapeHtml(withToken('/feed.xml', token))}">Atom feed</a><a href="${escapeHtml(withToken('/feed.json', token))}">JSON Feed</a></nav>
<form method="get" action="/">
${field('q', 'Search titles and reasons', query.q)}${field('country', 'Country', query.country)}${field('actor', 'Iranian actor', query.actor)}
${token === undefined ? '' : `<input type="hidden" name="token" value="${escapeHtml(token)}">`}<button type="submit">Filter</button>
</form>
</div></header>
<div class="layout">
<main id="stories">
${stories}
</main>
<aside>
<section class="panel" id="sources"><h2>Sources</h2>${sources}</section>
</aside>
</div>
</body>
</html>
`;
}
