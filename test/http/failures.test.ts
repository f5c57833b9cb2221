import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/http/body.js';
import { parseRetryAfter } from '../../src/http/failures.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2023-06-12T18:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Mon, 12 Jun 2023 18:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Mon, 12 Jun 2023 17:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});

describe('formatBytes', () => {
  it('writes limits the way an operator would', () => {
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MB');
    expect(formatBytes(2.5 * 1024 * 1024)).toBe('2.5 MB');
    expect(formatBytes(64 * 1024)).toBe('64 KB');
    expect(formatBytes(1000)).toBe('1000 bytes');
  });
});
