import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../src/errors.js';
import { backoffDelay, retryDelay } from '../../src/queue/backoff.js';
import { decodeJobId, encodeJobId } from '../../src/queue/bullmq-queue.js';

const POLICY = { attempts: 30, baseDelayMs: 10_000, maxDelayMs: 3_600_000 };

describe('backoffDelay', () => {
  it('doubles per attempt with ±20% jitter', () => {
    expect(backoffDelay(POLICY, 1, () => 0.5)).toBe(10_000);
    expect(backoffDelay(POLICY, 1, () => 0)).toBe(8_000);
    expect(backoffDelay(POLICY, 1, () => 1)).toBe(12_000);
    expect(backoffDelay(POLICY, 4, () => 0.5)).toBe(80_000);
    for (let i = 0; i < 1_000; i++) {
      const delay = backoffDelay(POLICY, 3);
      expect(delay).toBeGreaterThanOrEqual(32_000);
      expect(delay).toBeLessThanOrEqual(48_000);
    }
  });

  it('never exceeds maxDelayMs, even for very late attempts', () => {
    expect(backoffDelay(POLICY, 10, () => 1)).toBe(3_600_000);
    expect(backoffDelay(POLICY, 2_000, () => 0.5)).toBe(3_600_000);
    expect(backoffDelay(POLICY, 10, () => 0)).toBe(Math.round(3_600_000 * 0.8));
  });
});

describe('retryDelay', () => {
  it("waits for a TransientError's retryAfterMs when it is longer than the backoff", () => {
    expect(retryDelay(POLICY, 1, new TransientError('fetch: 429', { retryAfterMs: 120_000 }), () => 0.5)).toBe(120_000);
    expect(retryDelay(POLICY, 1, new TransientError('fetch: 429', { retryAfterMs: 1_000 }), () => 0.5)).toBe(10_000);
    expect(retryDelay(POLICY, 2, new TransientError('fetch: timeout'), () => 0.5)).toBe(20_000);
    expect(retryDelay(POLICY, 2, new PermanentError('fetch: 404'), () => 0.5)).toBe(20_000);
  });
});

describe('BullMQ job ids', () => {
  it('escapes what BullMQ refuses and decodes back to the original', () => {
    const ids = ['story-7f3a:story.created:newsroom', '12345', '0', '%3A', '100%:done', 'irna-es@20261123T1504Z', '9:9'];
    for (const id of ids) {
      const encoded = encodeJobId(id);
      expect(encoded).not.toContain(':');
      expect(/^\d+$/.test(encoded)).toBe(false);
      expect(decodeJobId(encoded)).toBe(id);
    }
    expect(new Set(ids.map(encodeJobId)).size).toBe(ids.length);
    expect(encodeJobId('irna-es@20261123T1504Z')).toBe('irna-es@20261123T1504Z');
  });
});
