import { describe, expect, it } from 'vitest';
import { register as globalRegistry } from 'prom-client';
import { createMetrics } from '../../src/metrics.js';
import type { SourceHealth } from '../../src/store/store.js';

describe('createMetrics', () => {
  it('reads source ages and queue sizes at scrape time, dropping sources that left the config', async () => {
    const health = new Map<string, SourceHealth>([
      ['ledger', { lastSuccessAt: '2023-06-15T19:00:00.000Z', lastAttemptAt: '2023-06-15T19:00:00.000Z', consecutiveFailures: 0 }],
      ['andes', { lastSuccessAt: '2023-06-15T18:00:00.000Z', consecutiveFailures: 2, lastError: 'fetch: timeout' }],
      ['orinoco', { lastAttemptAt: '2023-06-15T18:00:00.000Z', consecutiveFailures: 1 }],
    ]);
    let ids = ['ledger', 'andes', 'orinoco'];
    let waiting = 3;
    const metrics = createMetrics({ now: () => Date.parse('2023-06-15T19:10:00.000Z') });
    metrics.observe({
      sourceHealth: { sourceIds: () => ids, get: async (id) => health.get(id) },
      queueCounts: async () => ({ discover: { waiting, active: 1, delayed: 0, failed: 0 } }),
    });

    let text = await metrics.text();
    expect(text).toContain('diplowatch_source_last_success_seconds{source="ledger"} 600');
    expect(text).toContain('diplowatch_source_last_success_seconds{source="andes"} 4200');
    expect(text).not.toContain('source="orinoco"');
    expect(text).toContain('diplowatch_queue_jobs{queue="discover",state="waiting"} 3');
    expect(text).toContain('diplowatch_queue_jobs{queue="discover",state="active"} 1');

    ids = ['ledger'];
    waiting = 0;
    text = await metrics.text();
    expect(text).not.toContain('source="andes"');
    expect(text).toContain('diplowatch_queue_jobs{queue="discover",state="waiting"} 0');
  });

  it('keeps each instance apart and off the global registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.match('ledger');
    a.articleExtracted('ledger');
    expect(await a.text()).toContain('diplowatch_matches_total{source="ledger"} 1');
    expect(await a.text()).toContain('diplowatch_articles_extracted_total{source="ledger"} 1');
    expect(await b.text()).not.toContain('diplowatch_matches_total{source="ledger"}');
    expect(await globalRegistry.metrics()).not.toContain('diplowatch_');
  });

  it('counts a 304 both as a fetch and as not modified, without bytes', async () => {
    const metrics = createMetrics();
    metrics.fetch('ledger', 'not-modified', 0);
    metrics.fetch('ledger', 'ok', 512);
    metrics.fetch('ledger', 'ok', 512);
    const text = await metrics.text();
    expect(text).toContain('diplowatch_fetches_total{source="ledger",outcome="not-modified"} 1');
    expect(text).toContain('diplowatch_fetches_total{source="ledger",outcome="ok"} 2');
    expect(text).toContain('diplowatch_not_modified_total{source="ledger"} 1');
    expect(text).toContain('diplowatch_fetch_bytes_total{source="ledger"} 1024');
  });
});
