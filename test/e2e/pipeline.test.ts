import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoConfig } from '../../src/demo/demo.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/demo/receiver.js';
import { DEMO_OUTLETS, startDemoSite, type DemoSite } from '../../src/demo/site.js';
import { createLogger } from '../../src/log.js';
import { runScan } from '../../src/scan.js';
import { startService } from '../../src/service.js';
import { createFileStore } from '../../src/store/file-store.js';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const quiet = createLogger({ level: 'silent', pretty: false });
/** Never fires during a test: the service polls once at start-up, then we wait for the queue to drain. */
const NEVER = '0 0 1 1 *';

const onTopicTitles = DEMO_OUTLETS.flatMap((outlet) => outlet.articles).filter((article) => article.onTopic);

let site: DemoSite;
let receiver: WebhookReceiver;
let dir: string;
let secret: string;

beforeEach(async () => {
  secret = `whsec_${randomBytes(24).toString('base64')}`;
  site = await startDemoSite();
  receiver = await startWebhookReceiver(secret);
  dir = await mkdtemp(join(tmpdir(), 'diplowatch-e2e-'));
});

afterEach(async () => {
  await receiver.close();
  await site.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(extra = ''): Promise<string> {
  const path = join(dir, 'diplowatch.yaml');
  await writeFile(path, demoConfig(site, receiver.url, secret, join(dir, 'state'), NEVER) + extra);
  return path;
}

function createdTitles(): string[] {
  return receiver.received.filter((alert) => alert.payload?.type === 'story.created').map((alert) => alert.payload?.story.title ?? '');
}

describe('end to end, embedded mode (scan)', () => {
  it('sends exactly one signed story.created per story, and nothing on a second run', async () => {
    const configPath = await writeConfig();
    const first = await runScan({ configPath, logger: quiet, env: {} });

    // Two stories: the Caracas agreements (two outlets, one story) and the Bolivia memorandum.
    expect(first.stories).toHaveLength(2);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received.every((alert) => alert.signatureValid)).toBe(true);
    expect(receiver.received.every((alert) => alert.payload?.type === 'story.created')).toBe(true);
    const caracas = first.stories.find((story) => story.articles.length === 2);
    expect(caracas?.articles.map((article) => article.outlet).sort()).toEqual(['Demo Levant', 'Demo Wire']);
    expect(createdTitles().some((title) => /bolivia/i.test(title))).toBe(true);
    // Hard negatives were fetched and judged, not alerted.
    expect(site.hits.get('/levant/news/venezuela-power-cuts')).toBe(1);
    expect(site.hits.get('/wire/world/middle-east/iran-nuclear-talks')).toBe(1);
    // The broken page was reported for its source; the other sources went on.
    const sur = first.rows.find((row) => row.source === 'demo-sur');
    expect(sur?.errors.length).toBeGreaterThanOrEqual(1);
    const state = await createFileStore({ dir: join(dir, 'state'), retentionDays: 30 });
    try {
      expect((await state.getSourceHealth('demo-sur'))?.lastArticleError).toMatch(/^extract: no article found/);
      expect((await state.getSourceHealth('demo-wire'))?.lastArticleError).toBeUndefined();
    } finally {
      await state.close();
    }
    expect(onTopicTitles.length).toBe(3);

    const second = await runScan({ configPath, logger: quiet, env: {} });
    expect(second.stories).toHaveLength(0);
    expect(receiver.received).toHaveLength(2);
    // Seen articles are not fetched again.
    expect(site.hits.get('/levant/news/venezuela-power-cuts')).toBe(1);
  });

  it('--dry-run records stories but sends no alert', async () => {
    const configPath = await writeConfig();
    const report = await runScan({ configPath, logger: quiet, env: {}, dryRun: true });
    expect(report.stories).toHaveLength(2);
    expect(receiver.received).toHaveLength(0);
  });
});

describe('end to end, redis mode (service)', () => {
  let prefix: string;
  beforeEach(() => {
    prefix = uniquePrefix('e2e');
  });
  afterEach(async () => {
    await deletePrefix(prefix);
  });

  it('alerts each story once across a restart', async () => {
    const configPath = await writeConfig(`redis:\n  url: ${TEST_REDIS_URL}\n  prefix: ${prefix}\n`);
    const first = await startService({ configPath, logger: quiet, env: {} });
    try {
      await receiver.waitFor(2, 20_000);
      await first.runtime.queue.drained();
    } finally {
      await first.stop();
    }
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received.every((alert) => alert.signatureValid && alert.payload?.type === 'story.created')).toBe(true);

    const second = await startService({ configPath, logger: quiet, env: {} });
    try {
      await second.runtime.queue.drained();
    } finally {
      await second.stop();
    }
    expect(receiver.received).toHaveLength(2);
  });
});
