import { createHash } from 'node:crypto';
import type { Story } from '../stories/types.js';
import type { AlertEvent, AlertPayload } from './types.js';

/** Receivers see at most this many reasons: enough to judge the match, short enough for a chat message. */
const MAX_REASONS = 5;

/** The public payload of one alert, built field by field so internal fields never leak into the webhook API. */
export function alertPayload(story: Story, event: AlertEvent): AlertPayload {
  return {
    type: event,
    story: {
      id: story.id,
      title: story.title,
      url: story.url,
      outlet: story.outlet,
      publishedAt: story.publishedAt ?? null,
      score: story.score,
      reasons: story.reasons.slice(0, MAX_REASONS),
      articles: story.articles.map((a) => ({ url: a.url, title: a.title, outlet: a.outlet, publishedAt: a.publishedAt ?? null })),
    },
  };
}

/** The JSON body of an alert (Standard Webhooks payload, see ARCHITECTURE.md), with a fixed key order. */
export function renderAlert(story: Story, event: AlertEvent): string {
  return JSON.stringify(alertPayload(story, event));
}

/**
 * Deterministic Standard Webhooks message id (`msg_` + 24 hex) of one alert: the same story, event, webhook and
 * triggering article always give the same id, so a re-run or a redelivery reuses it and receivers can dedupe.
 */
export function alertId(storyId: string, event: AlertEvent, webhookId: string, articleUrl: string): string {
  // A separator that cannot occur in the parts keeps ("a", "b.c") and ("a.b", "c") apart.
  const digest = createHash('sha256').update([storyId, event, webhookId, articleUrl].join('\u0000')).digest('hex');
  return `msg_${digest.slice(0, 24)}`;
}
