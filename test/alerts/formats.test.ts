import { describe, expect, it } from 'vitest';
import { digestId, renderDigest } from '../../src/alerts/digest.js';
import { DISCORD_LIMITS, fit, renderForWebhook, SLACK_LIMITS, slackEscape } from '../../src/alerts/formats.js';
import { renderAlert } from '../../src/alerts/payload.js';
import type { Story } from '../../src/stories/types.js';
import { CARACAS, HAVANA, makeStory } from '../digest/stories.js';

interface SlackText {
  type: string;
  text: string;
}
interface SlackBlock {
  type: string;
  text?: SlackText;
  elements?: SlackText[];
}
interface SlackBody {
  text: string;
  blocks: SlackBlock[];
  unfurl_links: boolean;
}
interface DiscordEmbed {
  title: string;
  url?: string;
  description: string;
  fields?: Array<{ name: string; value: string; inline: boolean }>;
  footer: { text: string };
  timestamp?: string;
}
interface DiscordBody {
  allowed_mentions: { parse: string[] };
  embeds: DiscordEmbed[];
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function slack(story: Story, replay = false): SlackBody {
  return JSON.parse(renderForWebhook(story, 'story.created', 'slack', { replay }).body) as SlackBody;
}

function discord(story: Story, replay = false): DiscordBody {
  return JSON.parse(renderForWebhook(story, 'story.created', 'discord', { replay }).body) as DiscordBody;
}

/** Discord's 6000-character budget counts title, description, field names and values, and footer. */
function embedTotal(embed: DiscordEmbed): number {
  return embed.title.length + embed.description.length + embed.footer.text.length + (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0);
}

/** A story built to overflow every limit: a long title, 40 outlets, many actors, a very long reason. */
const SPRAWLING = makeStory('st_sprawling', {
  title: `Amir-Abdollahian tours Nicaragua, Cuba and Venezuela & <!channel> signs *many* [accords] ${'with a very long headline '.repeat(20)}`,
  url: 'https://long-wire.example/world/2023/06/amir-abdollahian-tour?ref=a|b&utm=c',
  outlet: 'Long Wire',
  createdAt: '2023-06-14T10:00:00.000Z',
  countries: ['Venezuela', 'Cuba', 'Nicaragua', 'Bolivia', 'Brazil', 'Argentina', 'Mexico', 'Colombia', 'Ecuador', 'Peru'].flatMap((c) => [c, `${c} (again)`]).concat(Array.from({ length: 60 }, (_, i) => `State number ${i}`)),
  actors: Array.from({ length: 80 }, (_, i) => `Official_${i} of the Islamic Republic`),
  reasons: ['&<>'.repeat(2000)],
  more: Array.from({ length: 40 }, (_, i) => ({ url: `https://outlet-${i}.example/news/iran-latam-tour-${i}`, title: `Report ${i}: ${'Iranian delegation in Managua and Havana '.repeat(8)}`, outlet: `Outlet number ${i} with a rather long name` })),
});

describe('renderForWebhook: standard', () => {
  it('is exactly the existing signed JSON alert', () => {
    const rendered = renderForWebhook(CARACAS, 'story.updated', 'standard');
    expect(rendered.signed).toBe(true);
    expect(rendered.body).toBe(renderAlert(CARACAS, 'story.updated'));
    expect(JSON.parse(rendered.body)).not.toHaveProperty('replay');
  });

  it('adds "replay": true after the story on a replay, and nothing else', () => {
    const replayed = JSON.parse(renderForWebhook(CARACAS, 'story.created', 'standard', { replay: true }).body) as Record<string, unknown>;
    expect(Object.keys(replayed)).toEqual(['type', 'story', 'replay']);
    expect(replayed.replay).toBe(true);
    expect({ ...replayed, replay: undefined }).toEqual({ ...(JSON.parse(renderAlert(CARACAS, 'story.created')) as object), replay: undefined });
  });
});

describe('renderForWebhook: slack', () => {
  it('has a fallback text, a header with the title, a section with link, outlets, countries, actors and reason, and a context with the time', () => {
    const body = slack(CARACAS);
    expect(renderForWebhook(CARACAS, 'story.created', 'slack').signed).toBe(true);
    expect(body.text).toBe(`New story: ${CARACAS.title} ${CARACAS.url}`);
    expect(body.unfurl_links).toBe(false);
    expect(body.blocks.map((block) => block.type)).toEqual(['header', 'section', 'context']);
    expect(body.blocks[0]?.text).toEqual({ type: 'plain_text', text: CARACAS.title, emoji: false });
    const section = body.blocks[1]?.text;
    expect(section?.type).toBe('mrkdwn');
    expect(section?.text).toContain(`<${CARACAS.url}|${CARACAS.title}>`);
    expect(section?.text).toContain('*Outlets:* Andes Wire, Gulf Desk');
    expect(section?.text).toContain('*Countries:* Venezuela');
    expect(section?.text).toContain('*Iranian actors:* Ebrahim Raisi');
    expect(section?.text).toContain(`*Why:* ${CARACAS.reasons[0]}`);
    expect(section?.text).not.toContain(CARACAS.reasons[1]);
    const context = body.blocks[2]?.elements?.[0]?.text ?? '';
    expect(context).toContain('2023-06-12 18:00 UTC');
    expect(context).toContain('2 articles');
  });

  it('escapes mrkdwn control characters so a title cannot mention @channel or break the link', () => {
    const section = slack(SPRAWLING).blocks[1]?.text?.text ?? '';
    expect(section).not.toContain('<!channel>');
    expect(section).toContain('&amp; &lt;!channel&gt;');
    // The link's URL keeps its query, with "|" encoded so it does not end the URL.
    expect(section).toContain('<https://long-wire.example/world/2023/06/amir-abdollahian-tour?ref=a%7Cb&amp;utm=c|');
  });

  it('keeps every block within Block Kit limits and cuts on whole characters and entities', () => {
    const body = slack(SPRAWLING);
    const header = body.blocks[0]?.text?.text ?? '';
    expect(header.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(header.endsWith('…')).toBe(true);
    const section = body.blocks[1]?.text?.text ?? '';
    expect(section.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    // The reason, all "&<>", was cut between entities, never inside one.
    const why = section.split('\n').find((line) => line.startsWith('*Why:*')) ?? '';
    expect(why.replace('*Why:* ', '').replace(/…$/, '')).toMatch(/^(&amp;|&lt;|&gt;)+$/);
    expect(body.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    expect(body.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  });

  it('says "(replay)" in the text and context instead of adding a key Slack does not know', () => {
    const body = slack(CARACAS, true);
    expect(body).not.toHaveProperty('replay');
    expect(body.text.startsWith('New story (replay):')).toBe(true);
    expect(body.blocks[2]?.elements?.[0]?.text).toContain('(replay)');
  });
});

describe('renderForWebhook: discord', () => {
  it('has one embed with title, url, the reason and other articles, fields and a timestamp, and mentions off', () => {
    const body = discord(CARACAS);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds).toHaveLength(1);
    const embed = body.embeds[0] as DiscordEmbed;
    expect(embed.title).toBe(CARACAS.title);
    expect(embed.url).toBe(CARACAS.url);
    expect(embed.description).toContain('> Iranian President Ebrahim Raisi landed in Caracas');
    expect(embed.description).toContain('[Maduro hosts Raisi, talks of a $20bn trade goal](https://gulf-desk.example/news/maduro-hosts-raisi) — Gulf Desk');
    expect(embed.fields).toEqual([
      { name: 'Outlets', value: 'Andes Wire, Gulf Desk', inline: true },
      { name: 'Countries', value: 'Venezuela', inline: true },
      { name: 'Iranian actors', value: 'Ebrahim Raisi', inline: true },
    ]);
    expect(embed.timestamp).toBe('2023-06-12T18:00:00.000Z');
    expect(embed.footer.text).toBe('diplowatch · New story');
  });

  it('leaves out empty fields (Discord refuses them) and falls back to createdAt for the timestamp', () => {
    const bare = makeStory('st_bare', { title: 'Iranian embassy reopens in a Latin American capital', url: 'https://x.example/a', outlet: 'X', createdAt: '2024-02-01T09:00:00.000Z' });
    const embed = discord(bare).embeds[0] as DiscordEmbed;
    expect(embed.fields).toEqual([{ name: 'Outlets', value: 'X', inline: true }]);
    expect(embed.timestamp).toBe('2024-02-01T09:00:00.000Z');
    expect(embed.description.length).toBeGreaterThan(0);
  });

  it('keeps title, description, fields and the 6000 total within the embed limits', () => {
    const embed = discord(SPRAWLING).embeds[0] as DiscordEmbed;
    expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(embed.title.endsWith('…')).toBe(true);
    expect(embed.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    for (const field of embed.fields ?? []) expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    expect(embedTotal(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    // Whole article lines only: the cut list ends with a count, not half a link.
    expect(embed.description).toMatch(/…and \d+ more$/);
    for (const line of embed.description.split('\n').filter((l) => l.startsWith('• '))) expect(line).toMatch(/^• \[.+\]\(https:\/\/outlet-\d+\.example\/[^)]+\) — /);
  });

  it('escapes markdown in descriptions and fields', () => {
    const story = makeStory('st_md', { title: 't', url: 'https://x.example/t', outlet: 'Wire_*Desk*', createdAt: '2024-02-01T09:00:00.000Z', reasons: ['a [link](https://evil.example) and **bold**'] });
    const embed = discord(story).embeds[0] as DiscordEmbed;
    expect(embed.description).toBe('> a \\[link\\]\\(https://evil.example\\) and \\*\\*bold\\*\\*');
    expect(embed.fields?.[0]?.value).toBe('Wire\\_\\*Desk\\*');
  });
});

describe('fit', () => {
  it('never splits a surrogate pair', () => {
    const out = fit(`Tehran ${'🇮🇷🇻🇪'.repeat(100)}`, 150);
    expect(out.length).toBeLessThanOrEqual(150);
    expect(out).not.toMatch(LONE_SURROGATE);
    expect(out.endsWith('…')).toBe(true);
  });

  it('measures the escaped text and cuts between entities', () => {
    const out = fit('&'.repeat(100), 52, slackEscape);
    expect(out).toBe(`${'&amp;'.repeat(10)}…`);
    expect(fit('short', 10, slackEscape)).toBe('short');
  });
});

describe('renderDigest', () => {
  const window = { since: '2023-06-12T00:00:00.000Z', until: '2023-06-16T00:00:00.000Z' };

  it('standard: type, window and the stories in the alert shape, in the given order', () => {
    const body = JSON.parse(renderDigest([CARACAS, HAVANA], window, 'standard').body) as { type: string; since: string; until: string; stories: unknown[] };
    expect(Object.keys(body)).toEqual(['type', 'since', 'until', 'stories']);
    expect(body.type).toBe('stories.digest');
    expect(body.since).toBe(window.since);
    expect(body.until).toBe(window.until);
    expect(body.stories).toEqual([JSON.parse(renderAlert(CARACAS, 'story.created')).story, JSON.parse(renderAlert(HAVANA, 'story.created')).story]);
  });

  it('slack: a header with the count, one section per story, and no more than 50 blocks', () => {
    const two = JSON.parse(renderDigest([CARACAS, HAVANA], window, 'slack').body) as SlackBody;
    expect(two.blocks[0]?.text?.text).toBe('2 new stories: Iran and Latin America');
    expect(two.blocks[1]?.text?.text).toContain(`<${CARACAS.url}|${CARACAS.title}>`);
    expect(two.blocks[1]?.text?.text).toContain('Andes Wire, Gulf Desk · Venezuela');
    expect(two.blocks[2]?.text?.text).toContain(`<${HAVANA.url}|`);
    expect(two.blocks.at(-1)?.elements?.[0]?.text).toContain('2023-06-12 00:00 UTC to 2023-06-16 00:00 UTC');

    const many = Array.from({ length: 60 }, (_, i) => ({ ...SPRAWLING, id: `st_${i}` }));
    const body = JSON.parse(renderDigest(many, window, 'slack').body) as SlackBody;
    expect(body.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(body.blocks.at(-1)?.elements?.[0]?.text).toContain('15 more not shown');
    for (const block of body.blocks) expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(block.type === 'header' ? SLACK_LIMITS.headerText : SLACK_LIMITS.sectionText);
  });

  it('discord: one embed listing stories as links, within the description and total limits', () => {
    const two = JSON.parse(renderDigest([CARACAS, HAVANA], window, 'discord').body) as DiscordBody;
    const embed = two.embeds[0] as DiscordEmbed;
    expect(embed.title).toBe('2 new stories: Iran and Latin America');
    expect(embed.description.split('\n')).toEqual([
      `• [${CARACAS.title}](${CARACAS.url}) — Andes Wire · Venezuela`,
      `• [${HAVANA.title}](${HAVANA.url}) — Caribe Hoy · Cuba`,
    ]);
    expect(embed.timestamp).toBe(window.until);

    const many = Array.from({ length: 200 }, (_, i) => ({ ...SPRAWLING, id: `st_${i}` }));
    const big = (JSON.parse(renderDigest(many, window, 'discord').body) as DiscordBody).embeds[0] as DiscordEmbed;
    expect(big.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embedTotal(big)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(big.description).toMatch(/…and \d+ more$/);
  });

  it('digestId depends on webhook and window only', () => {
    const id = digestId('morning', window);
    expect(id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(digestId('morning', { ...window })).toBe(id);
    expect(digestId('evening', window)).not.toBe(id);
    expect(digestId('morning', { ...window, until: '2023-06-17T00:00:00.000Z' })).not.toBe(id);
  });
});
