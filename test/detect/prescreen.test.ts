import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateBenchSite, onTopicPaths } from '../../bench/site/generate.js';
import { detect } from '../../src/detect/index.js';
import { prescreen } from '../../src/detect/prescreen.js';
import { shippedTopic } from './topic-loader.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/detect/', import.meta.url));
const DEMO = fileURLToPath(new URL('../../demo/pages/', import.meta.url));

interface Item {
  id: string;
  lang: string;
  label: boolean;
  title: string;
  text?: string;
  html?: string;
}

function items(): Item[] {
  return readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(FIXTURES + name, 'utf8').split('\n').filter((line) => line.trim() !== ''))
    .map((line) => JSON.parse(line) as Item);
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Page chrome that names both sides where an article never does: a section menu, a ticker of links, a "Most
// read" list and lesser headings in a sidebar.
const CHROME_TOP = `<header><nav class="menu"><ul><li><a href="/world/iran">Iran</a></li><li><a href="/americas/venezuela">Venezuela</a></li><li><a href="/americas/cuba">Cuba</a></li></ul></nav></header>
<div class="ticker"><span>Breaking</span> <a href="/live/1">Raisi lands in Managua as Ortega hails a strategic partner</a> · <a href="/live/2">Iran and Bolivia sign defence memorandum in Tehran</a></div>`;
const CHROME_SIDE = `<aside class="most-read"><h2>Most read</h2><ol><li><a href="/a/1">Iran's foreign minister arrives in Havana for talks with Díaz-Canel</a></li><li><a href="/a/2">Venezuela and Iran extend their 20-year cooperation plan</a></li></ol><h3>Maduro receives Araghchi in Caracas</h3></aside>`;
// Three long paragraphs with no party in them, so a page is judged on its text and not on the safety valve.
const APPEALS = [
  'Our newsroom is funded by its readers. Become a member today and help keep independent reporting free for everyone.',
  'Sign up for the morning briefing: the essential stories of the day in your inbox before seven o’clock, every weekday.',
  'Comments are moderated. Please keep the conversation civil and on topic; abusive comments are removed without notice.',
].map((text) => `<p class="appeal">${text}</p>`);

function page(options: { title?: string; body: string[]; head?: string; chrome?: boolean }): string {
  const head = `${options.title === undefined ? '' : `<title>${escape(options.title)} | The Courier</title>`}${options.head ?? ''}`;
  const chrome = options.chrome === false ? ['', ''] : [CHROME_TOP, CHROME_SIDE];
  const h1 = options.title === undefined ? '' : `<h1>${escape(options.title)}</h1>`;
  return `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${chrome[0]}<main><article>${h1}${options.body.join('\n')}</article>${chrome[1]}${APPEALS.join('\n')}</main><footer><p>© The Courier</p></footer></body></html>`;
}

const paragraphs = (text: string): string[] => text.split(/\n\n+/).map((p) => `<p>${escape(p)}</p>`);

describe('prescreen: recall on the evaluation sets', () => {
  const topic = shippedTopic();
  const all = items();

  it('passes every positive page of the detector evaluation set that carries html, also without its title and metadata', () => {
    const positives = all.filter((item) => item.label && item.html !== undefined);
    expect(positives.length).toBeGreaterThanOrEqual(10);
    for (const item of positives) {
      const html = item.html as string;
      expect(prescreen(html, topic), item.id).toMatchObject({ pass: true });
      // The body's paragraphs alone must carry the pair: the title is not what saves these pages.
      const bodyOnly = html
        .replace(/<title>[\s\S]*?<\/title>/i, '')
        .replace(/<h1[\s\S]*?<\/h1>/gi, '')
        .replace(/<meta[^>]*>/gi, '')
        .replace(/<script type="application\/ld\+json">[\s\S]*?<\/script>/gi, '');
      const result = prescreen(bodyOnly, topic);
      expect(result, item.id).toMatchObject({ pass: true });
      expect(result.reason, item.id).toMatch(/^both sides in p/);
    }
  });

  it('passes every positive text item laid out as an outlet page with misleading chrome', () => {
    const positives = all.filter((item) => item.label && item.text !== undefined);
    expect(positives.length).toBeGreaterThan(100);
    const failed = positives.filter((item) => !prescreen(page({ title: item.title, body: paragraphs(item.text as string) }), topic).pass);
    expect(failed.map((item) => item.id)).toEqual([]);
  });

  it('passes, on its paragraphs alone, every item whose text alone the detector matches', () => {
    const matched = all.filter((item) => item.text !== undefined && detect({ title: '', text: item.text, lang: item.lang }, topic).match);
    expect(matched.length).toBeGreaterThan(100);
    const failed = matched.filter((item) => {
      const result = prescreen(page({ body: paragraphs(item.text as string) }), topic);
      return !result.pass || !result.reason.startsWith('both sides');
    });
    expect(failed.map((item) => item.id)).toEqual([]);
  });

  it('passes every on-topic demo page and screens out the off-topic article whose sidebar names Venezuela', () => {
    const manifest = readFileSync(DEMO + 'MANIFEST.md', 'utf8');
    const onTopic = [...manifest.matchAll(/^\| `([^`]+\.html)` \|.*\| yes — [^|]*\|\s*$/gm)].map((m) => m[1] as string);
    expect(onTopic.length).toBeGreaterThanOrEqual(5);
    for (const name of onTopic) expect(prescreen(readFileSync(DEMO + name, 'utf8'), topic), name).toMatchObject({ pass: true });
    const nuclear = prescreen(readFileSync(DEMO + 'independent-iran-nuclear.html', 'utf8'), topic);
    expect(nuclear.pass).toBe(false);
    expect(nuclear.reason).toContain('Iranian party: yes, Latin American party: no');
  });

  it('passes every on-topic page of a 100 × 20 bench site and screens out nearly all the others', () => {
    const site = generateBenchSite({ outlets: 100, articlesPerOutlet: 20, now: Date.parse('2026-11-22T12:00:00Z') });
    const onTopic = new Set(onTopicPaths(site));
    expect(onTopic.size).toBe(50);
    let offTopic = 0;
    let screenedOut = 0;
    const missed: string[] = [];
    for (const article of site.articles) {
      const result = prescreen(site.renderArticle(article, 'http://127.0.0.1:8080'), topic);
      if (onTopic.has(article.path)) {
        if (!result.pass) missed.push(`${article.path}: ${result.reason}`);
      } else {
        offTopic++;
        if (!result.pass) screenedOut++;
      }
    }
    expect(missed).toEqual([]);
    expect(offTopic).toBe(1950);
    expect(screenedOut).toBeGreaterThanOrEqual(Math.ceil(offTopic * 0.95));
  });
});

describe('prescreen: which blocks count', () => {
  const topic = shippedTopic();
  const offTopicBody = [
    '<p>The city council approved a new budget for road repairs on Tuesday, after a debate that lasted most of the night.</p>',
    '<p>Residents of the northern districts had complained for years about potholes and flooding after heavy rain storms.</p>',
  ];

  it('screens out a page whose only mentions of both sides are in the menu, ticker, list items and lesser headings', () => {
    const result = prescreen(page({ title: 'Council approves road budget', body: offTopicBody }), topic);
    expect(result.pass).toBe(false);
    expect(result.reason).toBe('no block names both sides (Iranian party: no, Latin American party: no)');
  });

  it('passes the pair in one paragraph, and in two adjacent paragraphs', () => {
    const one = prescreen(page({ title: 'Talks in the capital', body: [...offTopicBody, '<p>Iran’s foreign minister met his Nicaraguan counterpart in Managua on Monday to discuss trade.</p>'] }), topic);
    expect(one).toMatchObject({ pass: true });
    expect(one.reason).toMatch(/^both sides in p: Iran’s foreign minister met/);
    const two = prescreen(
      page({ title: 'Talks in the capital', body: [...offTopicBody, '<p>Iran’s foreign minister landed on Monday.</p>', '<p>He is due in Managua on Tuesday for talks on trade.</p>'] }),
      topic,
    );
    expect(two.reason).toMatch(/^both sides in adjacent p and p/);
  });

  it('does not pair paragraphs that are not adjacent', () => {
    const result = prescreen(
      page({ title: 'Two briefs', body: ['<p>Iran’s foreign minister landed in Beijing on Monday for two days of talks with officials.</p>', ...offTopicBody, '<p>Separately, Venezuela’s electricity grid suffered another outage in several western states.</p>'] }),
      topic,
    );
    expect(result).toEqual({ pass: false, reason: 'no block names both sides (Iranian party: yes, Latin American party: yes)' });
  });

  it('reads entities, inline markup and links inside a paragraph', () => {
    const body = [...offTopicBody, '<p>El canciller de <a href="/t/iran">Ir&aacute;n</a> lleg&oacute; a <strong>La&nbsp;Habana</strong> para reunirse con Díaz-Canel.</p>'];
    expect(prescreen(page({ title: 'Gira', body }), topic)).toMatchObject({ pass: true });
  });

  it('counts the title, the meta description, JSON-LD strings and the feed title', () => {
    const bland = { body: offTopicBody, chrome: false };
    expect(prescreen(page({ ...bland, title: 'Raisi arrives in Caracas' }), topic).reason).toMatch(/^both sides in title/);
    const meta = '<meta property="og:description" content="Iran&#39;s president begins a tour of Venezuela, Nicaragua and Cuba.">';
    expect(prescreen(page({ ...bland, head: meta }), topic).reason).toMatch(/^both sides in meta/);
    const jsonLd = `<script type="application/ld+json">${JSON.stringify({ '@graph': [{ '@type': 'NewsArticle', articleBody: 'Storm warning.\nBolivia and Iran signed a defence memorandum in Tehran.' }] })}</script>`;
    expect(prescreen(page({ ...bland, head: jsonLd }), topic).reason).toMatch(/^both sides in json-ld: Bolivia and Iran/);
    expect(prescreen(page(bland), topic, { title: 'Amir-Abdollahian meets Lula in Brasília' }).reason).toMatch(/^both sides in feed-title/);
    expect(prescreen(page(bland), topic).pass).toBe(false);
  });

  it('counts a long run of prose outside paragraphs, but not a block of links', () => {
    const prose = '<div class="story-text">Iran’s foreign minister arrived in Havana on Monday, the first stop of a regional tour.<br><br>He met officials.</div>';
    expect(prescreen(page({ title: 'Tour', body: [...offTopicBody, prose] }), topic).reason).toMatch(/^both sides in loose/);
    const links = '<div class="cards"><a href="/1">Iran’s foreign minister arrived in Havana on Monday, the first stop of a regional tour</a></div>';
    expect(prescreen(page({ title: 'Tour', body: [...offTopicBody, links] }), topic).pass).toBe(false);
  });

  it('passes a page with too few paragraphs for the screen to see its text', () => {
    const brLayout = '<div class="text">Officials met on Monday.<br>Talks went on for hours.<br>A statement followed.</div>';
    const result = prescreen(page({ title: 'Meeting', body: [brLayout], chrome: false }).replace(/<p class="appeal">/g, '<div>'), topic);
    expect(result).toEqual({ pass: true, reason: 'few paragraphs (0 of 80+ characters)' });
  });

  it('takes a domestic institution as the Latin American side when the page names a Latin American place', () => {
    const vote = '<p>La Asamblea Nacional aprobó el lunes, por amplia mayoría, el acuerdo de cooperación firmado con Irán en junio.</p>';
    const datelined = (city: string): string[] => [`<p>${city} — Los diputados debatieron durante toda la jornada el presupuesto del próximo año.</p>`, ...offTopicBody, vote];
    expect(prescreen(page({ title: 'Asamblea', body: datelined('CARACAS') }), topic).reason).toMatch(/^both sides in p: La Asamblea Nacional/);
    expect(prescreen(page({ title: 'Asamblea', body: datelined('MADRID') }), topic).pass).toBe(false);
  });

  it('counts "Latin America" as the Latin American side', () => {
    const body = [...offTopicBody, '<p>Tehran is courting governments across Latin America with credit lines and drone sales, diplomats said.</p>'];
    expect(prescreen(page({ title: 'Outreach', body }), topic).pass).toBe(true);
  });
});
