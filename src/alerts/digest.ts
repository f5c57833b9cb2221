import { createHash } from 'node:crypto';
import type { Story } from '../stories/types.js';
import {
  DISCORD_LIMITS,
  SLACK_LIMITS,
  discordArticleLine,
  discordEscape,
  discordMessage,
  fit,
  humanTime,
  joinLines,
  slackContext,
  slackEscape,
  slackHeader,
  slackSection,
  slackTitleLine,
  storyFacts,
  type RenderedAlert,
  type WebhookFormat,
} from './formats.js';
import { alertPayload } from './payload.js';
import type { AlertPayload } from './types.js';

/** The time span a digest covers: stories created at or after `since` and before `until` (ISO). */
export interface DigestWindow {
  since: string;
  until: string;
}

/** The public body of a standard-format digest: the stories in the same shape as a single alert's `story`. */
export interface DigestPayload {
  type: 'stories.digest';
  since: string;
  until: string;
  stories: Array<AlertPayload['story']>;
}

/** Stories listed one per block in a Slack digest: header and context take two of Slack's 50 blocks. */
const SLACK_DIGEST_STORIES = 45;

/**
 * Deterministic `webhook-id` of one digest: the same webhook and window always give the same id, so a digest
 * re-sent after a failed POST or a crash is recognised by the receiver as the same message.
 */
export function digestId(webhookId: string, window: DigestWindow): string {
  const digest = createHash('sha256').update(['stories.digest', webhookId, window.since, window.until].join('\u0000')).digest('hex');
  return `msg_${digest.slice(0, 24)}`;
}

/** Renders a digest of `stories` (oldest first) in the webhook's format. */
export function renderDigest(stories: Story[], window: DigestWindow, format: WebhookFormat): RenderedAlert {
  switch (format) {
    case 'standard': {
      const payload: DigestPayload = { type: 'stories.digest', since: window.since, until: window.until, stories: stories.map((story) => alertPayload(story, 'story.created').story) };
      return { body: JSON.stringify(payload), signed: true };
    }
    case 'slack':
      return { body: JSON.stringify(slackDigest(stories, window)), signed: true };
    case 'discord':
      return { body: JSON.stringify(discordDigest(stories, window)), signed: true };
  }
}

function heading(count: number): string {
  return count === 1 ? '1 new story: Iran and Latin America' : `${count} new stories: Iran and Latin America`;
}

function span(window: DigestWindow): string {
  return `${humanTime(window.since)} to ${humanTime(window.until)}`;
}

function slackDigest(stories: Story[], window: DigestWindow): Record<string, unknown> {
  const shown = stories.slice(0, SLACK_DIGEST_STORIES);
  const blocks = [
    slackHeader(heading(stories.length)),
    ...shown.map((story) => {
      const facts = storyFacts(story);
      const lines = [
        slackTitleLine(story.url, story.title),
        fit([facts.outlets.join(', '), facts.countries.join(', ')].filter(Boolean).join(' · '), 800, slackEscape),
      ];
      return slackSection(joinLines(lines, SLACK_LIMITS.sectionText, () => '…'));
    }),
    slackContext(stories.length > shown.length ? `${span(window)} · ${stories.length - shown.length} more not shown · diplowatch` : `${span(window)} · diplowatch`),
  ];
  return { text: fit(heading(stories.length), SLACK_LIMITS.fallbackText), blocks, unfurl_links: false };
}

function discordDigest(stories: Story[], window: DigestWindow): Record<string, unknown> {
  const lines = stories.map((story) => {
    const countries = storyFacts(story).countries;
    const line = discordArticleLine(story.url, story.title, story.outlet);
    return countries.length > 0 ? `${line} · ${fit(countries.join(', '), 200, discordEscape)}` : line;
  });
  const footer = `diplowatch · ${span(window)}`;
  const title = fit(heading(stories.length), DISCORD_LIMITS.title);
  // The 6000-character budget is shared by title, description and footer.
  const room = Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.total - title.length - footer.length);
  return discordMessage({
    title,
    description: joinLines(lines, room, (left) => `…and ${left} more`),
    footer: { text: fit(footer, DISCORD_LIMITS.footer) },
    timestamp: window.until,
  });
}
