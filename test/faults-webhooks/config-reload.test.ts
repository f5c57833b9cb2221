import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/demo/receiver.js';
import { startDemoSite, type DemoSite } from '../../src/demo/site.js';
import { startService, type Service } from '../../src/service.js';
import { capturingLogger, faultConfig, until } from './support.js';

vi.setConfig({ testTimeout: 60_000 });

/** Every second: polls keep coming while the test watches. */
const EVERY_SECOND = '* * * * * *';
const SECRET = 'whsec_Y29uZmlnLXJlbG9hZC10ZXN0LXNlY3JldC1kaXBsb3dhdGNo';

let site: DemoSite;
let receiver: WebhookReceiver;
let dir: string;
let service: Service | undefined;

beforeEach(async () => {
  site = await startDemoSite();
  receiver = await startWebhookReceiver(SECRET);
  dir = await mkdtemp(join(tmpdir(), 'diplowatch-faults-config-'));
});

afterEach(async () => {
  await service?.stop();
  service = undefined;
  await receiver.close();
  await site.close();
  await rm(dir, { recursive: true, force: true });
});

function hitsOf(sourceUrl: string | undefined): number {
  return site.hits.get(new URL(sourceUrl ?? '').pathname) ?? 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('scenario 12: the config file changes under a running service', () => {
  it('keeps the last good config on invalid YAML (logged once), and stops polling a removed source while keeping its stories', async () => {
    const configPath = join(dir, 'diplowatch.yaml');
    const config = (without: string[] = []) => faultConfig({ site, stateDir: join(dir, 'state'), webhooks: [{ id: 'desk', url: receiver.url, secret: SECRET }], schedule: EVERY_SECOND, server: true, without });
    await writeFile(configPath, config());
    const { logger, count } = capturingLogger();
    service = await startService({ configPath, logger, env: {} });
    await receiver.waitFor(2, 30_000);
    const wire = site.sourceUrls['demo-wire'];
    const sur = site.sourceUrls['demo-sur'];

    // Replaced with invalid YAML, and saved a second time, as editors do.
    const broken = 'sources:\n  - id: demo-wire\n    feed: [unclosed\n';
    await writeFile(configPath, broken);
    await until(() => count('config change rejected') >= 1, 10_000, 'the rejection to be logged');
    await writeFile(configPath, broken);
    const wireBefore = hitsOf(wire);
    const surBefore = hitsOf(sur);
    // The old schedules go on: every source is polled again several times.
    await until(() => hitsOf(wire) >= wireBefore + 3 && hitsOf(sur) >= surBefore + 3, 15_000, 'polls to continue on the last good config');
    expect(count('config change rejected')).toBe(1);
    // A SIGHUP re-read of the same bad file is not logged again either.
    expect(await service.reload()).toBe('invalid');
    expect(count('config change rejected')).toBe(1);

    // demo-sur removed from a valid config: its schedule stops.
    await writeFile(configPath, config(['demo-sur']));
    await until(() => count('config reloaded') >= 1, 10_000, 'the new config to be applied');
    // A poll already started when the config changed may still finish.
    await sleep(1_500);
    const surAfter = hitsOf(sur);
    const wireAfter = hitsOf(wire);
    await until(() => hitsOf(wire) >= wireAfter + 3, 15_000, 'demo-wire polls to go on');
    expect(hitsOf(sur)).toBe(surAfter);

    // Its story stays: the Bolivia memorandum came from demo-sur.
    const api = (await (await fetch(`${service.serverUrl}/api/stories`)).json()) as { stories: Array<{ title: string }> };
    expect(api.stories).toHaveLength(2);
    expect(api.stories.some((story) => /Bolivia/i.test(story.title))).toBe(true);
    expect(receiver.received).toHaveLength(2);
  });
});
