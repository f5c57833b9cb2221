import { readFile, rm } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStore } from '../../src/store/file-store.js';
import { createRedisStore } from '../../src/store/redis-store.js';
import type { DigestCursor } from '../../src/store/store.js';
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from '../helpers/redis.js';
import { storeFactories, tempDir, type StoreUnderTest } from './support.js';

const PENDING: DigestCursor = {
  since: '2023-06-12T00:00:00.000Z',
  pending: {
    id: 'msg_0123456789abcdef01234567',
    since: '2023-06-12T00:00:00.000Z',
    until: '2023-06-16T07:58:00.000Z',
    body: '{"type":"stories.digest","stories":[]}',
    storyIds: ['st_raisi_caracas', 'st_raisi_havana'],
  },
};

describe.each(storeFactories)('Store contract, digest cursors: $kind', ({ make }) => {
  let current: StoreUnderTest | undefined;
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });

  it('has no cursor at first, keeps one per webhook, and replaces it whole', async () => {
    current = await make();
    const { store } = current;
    expect(await store.getDigestCursor('morning-brief')).toBeUndefined();
    await store.setDigestCursor('morning-brief', PENDING);
    await store.setDigestCursor('evening-brief', { since: '2023-06-15T00:00:00.000Z' });
    expect(await store.getDigestCursor('morning-brief')).toEqual(PENDING);
    expect(await store.getDigestCursor('evening-brief')).toEqual({ since: '2023-06-15T00:00:00.000Z' });
    await store.setDigestCursor('morning-brief', { since: '2023-06-16T07:58:00.000Z' });
    expect(await store.getDigestCursor('morning-brief')).toEqual({ since: '2023-06-16T07:58:00.000Z' });
  });
});

describe('digest cursors are durable when set', () => {
  it('file store: written to disk before setDigestCursor resolves, and read back on reopen', async () => {
    const dir = await tempDir();
    try {
      const store = await createFileStore({ dir, retentionDays: 30, flushDelayMs: 60_000 });
      await store.setDigestCursor('morning-brief', PENDING);
      // No close yet: the coalescing delay is a minute, so only an immediate write puts it there.
      const file = JSON.parse(await readFile(join(dir, 'digest-cursors.json'), 'utf8')) as { entries: Record<string, unknown> };
      expect(file.entries['morning-brief']).toEqual(PENDING);
      await store.close();
      const reopened = await createFileStore({ dir, retentionDays: 30 });
      expect(await reopened.getDigestCursor('morning-brief')).toEqual(PENDING);
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('redis store: seen by another connection on the same prefix, with no expiry', async () => {
    const prefix = uniquePrefix('cursor');
    const a = await createRedisStore({ url: TEST_REDIS_URL, prefix, retentionDays: 30 });
    const b = await createRedisStore({ url: TEST_REDIS_URL, prefix, retentionDays: 30 });
    try {
      await a.setDigestCursor('morning-brief', PENDING);
      expect(await b.getDigestCursor('morning-brief')).toEqual(PENDING);
      const raw = new Redis(TEST_REDIS_URL);
      try {
        expect(await raw.ttl(`${prefix}:digest-cursors`)).toBe(-1);
      } finally {
        raw.disconnect();
      }
    } finally {
      await a.close();
      await b.close();
      await deletePrefix(prefix);
    }
  });
});
