import type { Story } from '../stories/types.js';
import { storyOutlets } from './stories.js';
import { escapeXml } from './text.js';

/** Stories in each feed: readers poll often, so the newest few are enough. */
export const FEED_SIZE = 50;

const FEED_TITLE = 'diplowatch: diplomacy between Iran and Latin America';

/** Where the feeds live, as the client reached them. */
export interface FeedLinks {
  /** The page, e.g. `https://watch.example/`. */
  home: string;
  /** The feed's own URL. */
  self: string;
}

/** The plain-text summary of a story used in both feeds. */
function storyText(story: Story): string {
  const lines = [`Reported by ${storyOutlets(story).join(', ')}.`];
  if (story.signature.latamStates.length > 0) lines.push(`Countries: ${story.signature.latamStates.join(', ')}.`);
  if (story.signature.iranActors.length > 0) lines.push(`Iranian side: ${story.signature.iranActors.join(', ')}.`);
  for (const reason of story.reasons) lines.push(`Matched: ${reason}`);
  return lines.join('\n');
}

function storyTags(story: Story): string[] {
  return [...story.signature.latamStates, ...story.signature.iranActors, ...(story.signature.eventType ? [story.signature.eventType] : [])];
}

function storyUrn(story: Story): string {
  return `urn:diplowatch:story:${encodeURIComponent(story.id)}`;
}

/** An Atom 1.0 document of `stories` (newest first). */
export function renderAtom(stories: readonly Story[], links: FeedLinks): string {
  const updated = stories.reduce((latest, story) => (story.updatedAt > latest ? story.updatedAt : latest), '1970-01-01T00:00:00.000Z');
  const entries = stories.map((story) =>
    [
      '  <entry>',
      `    <id>${escapeXml(storyUrn(story))}</id>`,
      `    <title type="text">${escapeXml(story.title)}</title>`,
      `    <link rel="alternate" href="${escapeXml(story.url)}"/>`,
      `    <published>${escapeXml(story.publishedAt ?? story.createdAt)}</published>`,
      `    <updated>${escapeXml(story.updatedAt)}</updated>`,
      `    <author><name>${escapeXml(story.outlet)}</name></author>`,
      ...storyTags(story).map((tag) => `    <category term="${escapeXml(tag)}"/>`),
      `    <summary type="text">${escapeXml(storyText(story))}</summary>`,
      '  </entry>',
    ].join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(links.self)}</id>`,
    `  <title>${escapeXml(FEED_TITLE)}</title>`,
    `  <updated>${escapeXml(updated)}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(links.self)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(links.home)}"/>`,
    '  <generator>diplowatch</generator>',
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

/** A JSON Feed 1.1 object of `stories` (newest first). */
export function renderJsonFeed(stories: readonly Story[], links: FeedLinks) {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: FEED_TITLE,
    home_page_url: links.home,
    feed_url: links.self,
    items: stories.map((story) => ({
      id: storyUrn(story),
      url: story.url,
      title: story.title,
      content_text: storyText(story),
      date_published: story.publishedAt ?? story.createdAt,
      date_modified: story.updatedAt,
      authors: storyOutlets(story).map((name) => ({ name })),
      tags: storyTags(story),
    })),
  };
}
