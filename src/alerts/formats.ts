import type { WebhookConfig } from '../config/schema.js';
import type { Story } from '../stories/types.js';
import { alertPayload } from './payload.js';
import type { AlertEvent } from './types.js';

/** The body shape a webhook asked for. */
export type WebhookFormat = WebhookConfig['format'];

/**
 * One rendered delivery. `signed` says whether the Standard Webhooks headers go with it: true for every format
 * today, because Slack and Discord ignore headers they do not know and a relay in front of them can still verify
 * and dedupe by `webhook-id`. The flag is there so a future format that must not carry them can say so.
 */
export interface RenderedAlert {
  body: string;
  signed: boolean;
}

/** Options of one rendering. */
export interface RenderOptions {
  /** A re-send asked for by an operator (`diplowatch replay`): marked in the body so receivers can tell. */
  replay?: boolean;
}

/** Limits of Slack's Block Kit (https://api.slack.com/reference/block-kit/blocks). */
export const SLACK_LIMITS = { headerText: 150, sectionText: 3000, contextText: 3000, fallbackText: 3000, blocks: 50 } as const;

/** Limits of a Discord embed (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
export const DISCORD_LIMITS = { title: 256, description: 4096, fieldName: 256, fieldValue: 1024, footer: 2048, total: 6000 } as const;

/** Description of a single-story embed: kept well under 4096 so title, fields and footer stay within the 6000 total. */
const DISCORD_STORY_DESCRIPTION = 2048;

const EVENT_LABEL: Record<AlertEvent, string> = { 'story.created': 'New story', 'story.updated': 'Story updated' };

/** Renders the alert for one story in the webhook's format. */
export function renderForWebhook(story: Story, event: AlertEvent, format: WebhookFormat, options: RenderOptions = {}): RenderedAlert {
  switch (format) {
    case 'standard':
      return { body: JSON.stringify(options.replay ? { ...alertPayload(story, event), replay: true } : alertPayload(story, event)), signed: true };
    case 'slack':
      return { body: JSON.stringify(slackStory(story, event, options)), signed: true };
    case 'discord':
      return { body: JSON.stringify(discordStory(story, event, options)), signed: true };
  }
}

/** What the chat formats show of a story: outlets (lead first), countries, Iranian actors and the best reason. */
export interface StoryFacts {
  outlets: string[];
  countries: string[];
  actors: string[];
  reason: string | undefined;
  /** When the story happened, as far as we know: the lead article's date, else when we found it. */
  at: string;
}

/** The facts of a story the chat formats show. */
export function storyFacts(story: Story): StoryFacts {
  return {
    outlets: [...new Set([story.outlet, ...story.articles.map((article) => article.outlet)])],
    countries: story.signature.latamStates,
    actors: story.signature.iranActors,
    reason: story.reasons[0],
    at: story.publishedAt ?? story.createdAt,
  };
}

function eventLabel(event: AlertEvent, options: RenderOptions): string {
  return options.replay ? `${EVENT_LABEL[event]} (replay)` : EVENT_LABEL[event];
}

/**
 * Cuts `text` so that `escape(result)` is at most `max` UTF-16 units, ending with "…" when cut. Counting UTF-16
 * units is the stricter of the two platforms' measures (Slack counts characters, Discord code points), cutting
 * between code points never splits a surrogate pair, and escaping per code point never splits an entity.
 */
export function fit(text: string, max: number, escape: (text: string) => string = (s) => s): string {
  const whole = escape(text);
  if (whole.length <= max) return whole;
  let out = '';
  for (const char of text) {
    const piece = escape(char);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/** Slack mrkdwn: `&`, `<` and `>` are control characters (links, mentions such as `<!channel>`). */
export function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A Slack link `<url|label>`; `|` would end the URL early, so it is percent-encoded. */
export function slackLink(url: string, label: string): string {
  return `<${slackEscape(url).replaceAll('|', '%7C')}|${label}>`;
}

/** Discord markdown: a backslash before each formatting character shows it as typed. */
export function discordEscape(text: string): string {
  return text.replace(/[\\*_~`|[\]()]/g, (char) => `\\${char}`);
}

/** A Discord masked link `[label](url)`; parentheses in the URL would end it early. */
export function discordLink(url: string, label: string): string {
  return `[${label}](${url.replaceAll('(', '%28').replaceAll(')', '%29')})`;
}

/** `2023-06-12 14:00 UTC`, or the raw value when it is not a date. */
export function humanTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Joins whole lines while they fit in `max` (never cutting one, which could break a link), ending with
 * `more(n)` when `n` lines were left out.
 */
export function joinLines(lines: string[], max: number, more: (left: number) => string): string {
  const kept: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    const left = lines.length - i - 1;
    const tail = left > 0 ? more(left).length + 1 : 0;
    if (length + (kept.length > 0 ? 1 : 0) + line.length + tail > max) {
      kept.push(more(lines.length - i));
      return kept.join('\n');
    }
    kept.push(line);
    length += (kept.length > 1 ? 1 : 0) + line.length;
  }
  return kept.join('\n');
}

/** URLs longer than this are shown as text, not as a link: a link cut to fit a limit would point nowhere. */
const MAX_LINK_URL = 1000;

function listOrNone(items: string[]): string {
  return items.length > 0 ? items.join(', ') : '—';
}

/** The bold title of a story linked to its URL, or as text when the URL is too long to link. */
export function slackTitleLine(url: string, title: string): string {
  const label = fit(title, 300, slackEscape);
  return `*${url.length <= MAX_LINK_URL ? slackLink(url, label) : label}*`;
}

/** A Slack section (mrkdwn) block; the caller keeps `text` within the section limit. */
export function slackSection(text: string): Record<string, unknown> {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** A Slack context block with one mrkdwn element. */
export function slackContext(text: string): Record<string, unknown> {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: fit(text, SLACK_LIMITS.contextText) }] };
}

/** A Slack header block (plain text, at most 150 characters). */
export function slackHeader(text: string): Record<string, unknown> {
  return { type: 'header', text: { type: 'plain_text', text: fit(text, SLACK_LIMITS.headerText), emoji: false } };
}

function slackStory(story: Story, event: AlertEvent, options: RenderOptions): Record<string, unknown> {
  const facts = storyFacts(story);
  // Each line is capped on its own, so a long list of outlets cannot push the link or the reason out.
  const lines = [
    slackTitleLine(story.url, story.title),
    `*Outlets:* ${fit(listOrNone(facts.outlets), 600, slackEscape)}`,
    `*Countries:* ${fit(listOrNone(facts.countries), 400, slackEscape)}`,
    `*Iranian actors:* ${fit(listOrNone(facts.actors), 400, slackEscape)}`,
  ];
  if (facts.reason) lines.push(`*Why:* ${fit(facts.reason, 600, slackEscape)}`);
  const articles = story.articles.length === 1 ? '1 article' : `${story.articles.length} articles`;
  return {
    text: fit(`${eventLabel(event, options)}: ${story.title} ${story.url}`, SLACK_LIMITS.fallbackText, slackEscape),
    blocks: [
      slackHeader(story.title),
      slackSection(joinLines(lines, SLACK_LIMITS.sectionText, (left) => `…${left} more`)),
      slackContext(`${eventLabel(event, options)} · ${humanTime(facts.at)} · ${articles} · diplowatch`),
    ],
    unfurl_links: false,
  };
}

/** A Discord embed field, or nothing when there is nothing to show (Discord refuses empty values). */
export function discordField(name: string, items: string[]): Array<{ name: string; value: string; inline: boolean }> {
  if (items.length === 0) return [];
  return [{ name: fit(name, DISCORD_LIMITS.fieldName), value: fit(items.join(', '), DISCORD_LIMITS.fieldValue, discordEscape), inline: true }];
}

/** `• [title](url) — outlet`, or the title as text when the URL is too long to link. */
export function discordArticleLine(url: string, title: string, outlet: string): string {
  const label = fit(title, 200, discordEscape);
  return `• ${url.length <= MAX_LINK_URL ? discordLink(url, label) : label} — ${fit(outlet, 100, discordEscape)}`;
}

/** The body of a Discord webhook message; `allowed_mentions` off so no title can ping @everyone. */
export function discordMessage(embed: Record<string, unknown>): Record<string, unknown> {
  return { allowed_mentions: { parse: [] }, embeds: [embed] };
}

function discordStory(story: Story, event: AlertEvent, options: RenderOptions): Record<string, unknown> {
  const facts = storyFacts(story);
  const parts: string[] = [];
  if (facts.reason) parts.push(`> ${fit(facts.reason, 600, discordEscape)}`);
  // Articles after the lead one, as links: the embed's own url already points at the lead.
  for (const article of story.articles.filter((a) => a.url !== story.url)) parts.push(discordArticleLine(article.url, article.title, article.outlet));
  const embed: Record<string, unknown> = {
    title: fit(story.title, DISCORD_LIMITS.title),
    url: story.url,
    description: parts.length > 0 ? joinLines(parts, DISCORD_STORY_DESCRIPTION, (left) => `…and ${left} more`) : eventLabel(event, options),
    fields: [...discordField('Outlets', facts.outlets), ...discordField('Countries', facts.countries), ...discordField('Iranian actors', facts.actors)],
    footer: { text: `diplowatch · ${eventLabel(event, options)}` },
  };
  if (!Number.isNaN(Date.parse(facts.at))) embed.timestamp = new Date(Date.parse(facts.at)).toISOString();
  return discordMessage(embed);
}
