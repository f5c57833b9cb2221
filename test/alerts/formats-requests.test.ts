import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { alertRequests } from '../../src/jobs/article.js';
import type { AlertJob } from '../../src/queue/queue.js';
import { CARACAS } from '../digest/stories.js';

const secret = `whsec_${Buffer.from('formats test key').toString('base64')}`;

describe('alertRequests by webhook format', () => {
  const config = configSchema.parse({
    alerts: {
      webhooks: [
        { id: 'newsroom', url: 'https://hooks.example.org/in', secret },
        { id: 'latam-desk', url: 'https://hooks.slack.example/services/T0/B0/x', secret, format: 'slack' },
        { id: 'ops-chat', url: 'https://discord.example/api/webhooks/1/y', secret, format: 'discord', events: ['created', 'updated'] },
        { id: 'morning-brief', url: 'https://hooks.example.org/digest', secret, digest: '0 8 * * *' },
      ],
    },
  });

  it('renders each webhook its own body and skips digest webhooks', () => {
    const jobs = alertRequests(config, CARACAS, 'story.created', CARACAS.url);
    const byWebhook = new Map(jobs.map((job) => [(job.data as AlertJob).webhookId, job.data as AlertJob]));
    expect([...byWebhook.keys()]).toEqual(['newsroom', 'latam-desk', 'ops-chat']);
    expect(JSON.parse(byWebhook.get('newsroom')?.body ?? '{}')).toMatchObject({ type: 'story.created', story: { id: CARACAS.id } });
    expect(JSON.parse(byWebhook.get('latam-desk')?.body ?? '{}')).toHaveProperty('blocks');
    expect(JSON.parse(byWebhook.get('ops-chat')?.body ?? '{}')).toHaveProperty('embeds');
    // Ids stay per (story, event, webhook, article), whatever the format.
    expect(new Set(jobs.map((job) => job.id)).size).toBe(3);
  });

  it('still filters by event', () => {
    const jobs = alertRequests(config, CARACAS, 'story.updated', 'https://gulf-desk.example/news/maduro-hosts-raisi');
    expect(jobs.map((job) => (job.data as AlertJob).webhookId)).toEqual(['ops-chat']);
  });
});
