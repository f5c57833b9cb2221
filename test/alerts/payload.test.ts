import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alertId, renderAlert } from '../../src/alerts/payload.js';
import type { Story } from '../../src/stories/types.js';

const story: Story = {
  id: 'st_0123456789abcdef',
  title: 'Raisi lands in Caracas',
  url: 'https://news.example/world/raisi-caracas',
  outlet: 'News Example',
  publishedAt: '2023-06-12T18:00:00Z',
  score: 0.92,
  reasons: ['Raisi arrived in Caracas', 'met Maduro', 'signed memorandums', 'trade target', 'Amir-Abdollahian travelled', 'sixth reason'],
  signature: { iranActors: ['Ebrahim Raisi'], latamStates: ['Venezuela'], eventType: 'visit', place: 'Caracas' },
  articles: [
    { url: 'https://news.example/world/raisi-caracas', canonicalUrl: 'https://news.example/world/raisi-caracas', title: 'Raisi lands in Caracas', outlet: 'News Example', publishedAt: '2023-06-12T18:00:00Z', addedAt: '2023-06-12T18:03:00Z', joinReason: 'first report' },
    { url: 'https://wire.example/x', canonicalUrl: 'https://wire.example/x', title: 'Maduro hosts Raisi', outlet: 'Wire', addedAt: '2023-06-12T19:00:00Z', joinReason: 'text similarity 0.83 with "Raisi lands in Caracas" (News Example)' },
  ],
  createdAt: '2023-06-12T18:03:00Z',
  updatedAt: '2023-06-12T19:00:00Z',
};

describe('renderAlert', () => {
  it('renders exactly the documented shape, in order, with at most five reasons and null for unknown dates', () => {
    const body = renderAlert(story, 'story.updated');
    expect(body).toBe(
      '{"type":"story.updated","story":{"id":"st_0123456789abcdef","title":"Raisi lands in Caracas","url":"https://news.example/world/raisi-caracas",' +
        '"outlet":"News Example","publishedAt":"2023-06-12T18:00:00Z","score":0.92,' +
        '"reasons":["Raisi arrived in Caracas","met Maduro","signed memorandums","trade target","Amir-Abdollahian travelled"],' +
        '"articles":[{"url":"https://news.example/world/raisi-caracas","title":"Raisi lands in Caracas","outlet":"News Example","publishedAt":"2023-06-12T18:00:00Z"},' +
        '{"url":"https://wire.example/x","title":"Maduro hosts Raisi","outlet":"Wire","publishedAt":null}]}}',
    );
  });

  it('gives publishedAt null for a story without a date and leaks no internal fields', () => {
    const { publishedAt: _dropped, ...undated } = story;
    const parsed = JSON.parse(renderAlert(undated, 'story.created')) as { type: string; story: Record<string, unknown> };
    expect(parsed.type).toBe('story.created');
    expect(parsed.story.publishedAt).toBeNull();
    expect(Object.keys(parsed.story)).toEqual(['id', 'title', 'url', 'outlet', 'publishedAt', 'score', 'reasons', 'articles']);
    expect(JSON.stringify(parsed)).not.toMatch(/signature|joinReason|addedAt|canonicalUrl|createdAt/);
  });

  it('escapes text so the body stays valid JSON', () => {
    const quoted = { ...story, title: 'Raisi: "strategic" ties\nwith Caracas' };
    expect((JSON.parse(renderAlert(quoted, 'story.created')) as { story: { title: string } }).story.title).toBe(quoted.title);
  });
});

describe('alertId', () => {
  it('is msg_ + 24 hex of sha256 over the parts', () => {
    const expected = `msg_${createHash('sha256').update('st_0123456789abcdef\u0000story.created\u0000ops\u0000https://news.example/a').digest('hex').slice(0, 24)}`;
    expect(alertId('st_0123456789abcdef', 'story.created', 'ops', 'https://news.example/a')).toBe(expected);
    expect(expected).toMatch(/^msg_[0-9a-f]{24}$/);
  });

  it('is the same on a re-run and different when any part differs', () => {
    const base = alertId('st_1', 'story.created', 'ops', 'https://a.example/1');
    expect(alertId('st_1', 'story.created', 'ops', 'https://a.example/1')).toBe(base);
    const others = [
      alertId('st_2', 'story.created', 'ops', 'https://a.example/1'),
      alertId('st_1', 'story.updated', 'ops', 'https://a.example/1'),
      alertId('st_1', 'story.created', 'slack', 'https://a.example/1'),
      alertId('st_1', 'story.created', 'ops', 'https://a.example/2'),
    ];
    expect(new Set([base, ...others]).size).toBe(5);
  });

  it('does not confuse parts that only differ in where they split', () => {
    expect(alertId('st_1', 'story.created', 'a.b', 'c')).not.toBe(alertId('st_1', 'story.created', 'a', 'b.c'));
  });
});
