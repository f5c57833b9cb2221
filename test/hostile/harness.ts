import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, beforeAll, expect } from 'vitest';
import { startDemoSite, type DemoSite } from '../../src/demo/site.js';
import { createLogger } from '../../src/log.js';
import { runScan, type ScanReport, type ScanRow } from '../../src/scan.js';
import { createFileStore } from '../../src/store/file-store.js';
import type { SourceHealth } from '../../src/store/store.js';
import { startHostileServer, type HostileServer } from './server.js';

const TOPIC_FILE = fileURLToPath(new URL('../../config/topics/iran-latam.yaml', import.meta.url));

/** A source under test: a feed, or a section page with its article pattern. */
export interface HostileSource {
  id: string;
  feed?: string;
  listing?: string;
  articlePattern?: string;
}

/** One JSON log line of the scan. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** What a scan with hostile sources left behind. */
export interface HostileScan {
  report: ScanReport;
  row(id: string): ScanRow;
  /** Recorded health of each source, read from a store opened on the scan's `state.dir` afterwards. */
  health: Map<string, SourceHealth | undefined>;
  logs: LogLine[];
  /** Growth of the resident set (all threads) from before the scan to the highest sample taken during and after it. */
  rssGrowthBytes: number;
  /** The same for this thread's JS heap plus off-heap buffers, where fetched bodies are decoded. */
  heapGrowthBytes: number;
}

/** Ids of the demo site's three outlets. */
export const DEMO_IDS = ['demo-wire', 'demo-levant', 'demo-sur'] as const;

function demoSources(site: DemoSite, host: string): Array<HostileSource & { name: string }> {
  const rebase = (url: string): string => url.replace('127.0.0.1', host);
  const pattern = site.listingPattern.replace('127\\.0\\.0\\.1', host.replace(/[.]/g, '\\.'));
  return [
    { id: 'demo-wire', name: 'Demo Wire', feed: rebase(site.sourceUrls['demo-wire'] as string) },
    { id: 'demo-levant', name: 'Demo Levant', feed: rebase(site.sourceUrls['demo-levant'] as string) },
    { id: 'demo-sur', name: 'Demo Sur', listing: rebase(site.sourceUrls['demo-sur'] as string), articlePattern: pattern },
  ];
}

/**
 * Runs the real one-shot scan over the demo outlets plus `sources`, with `fetch`/`extract` settings merged over
 * test defaults (no politeness delay, private networks allowed, no robots.txt, one attempt per article).
 * `demoHost` lets a test reach the demo site by another name (`localhost`) than the hostile server's 127.0.0.1.
 */
export async function scanWith(
  site: DemoSite,
  sources: HostileSource[],
  options: { fetch?: Record<string, unknown>; extract?: Record<string, unknown>; demoHost?: string } = {},
): Promise<HostileScan> {
  const dir = await mkdtemp(join(tmpdir(), 'diplowatch-hostile-'));
  const stateDir = join(dir, 'state');
  const config = {
    sources: [...demoSources(site, options.demoHost ?? '127.0.0.1'), ...sources.map((source) => ({ name: source.id, ...source }))].map((source) => ({
      schedule: '0 0 1 1 *',
      maxAgeDays: 100_000,
      ...source,
    })),
    fetch: { allowPrivateNetworks: true, minDelayMs: 0, respectRobots: false, ...options.fetch },
    extract: { workers: 2, ...options.extract },
    queue: { articleAttempts: 1 },
    detect: { topic: TOPIC_FILE },
    state: { dir: stateDir },
  };
  const configPath = join(dir, 'diplowatch.yaml');
  await writeFile(configPath, stringify(config));
  const logs: LogLine[] = [];
  let pending = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  const logger = createLogger({ level: 'info', pretty: false, destination });
  const heapOf = (usage: NodeJS.MemoryUsage): number => usage.heapUsed + usage.external;
  const start = process.memoryUsage();
  let peak = start.rss;
  let heapPeak = heapOf(start);
  const sample = (): void => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    heapPeak = Math.max(heapPeak, heapOf(usage));
  };
  const sampler = setInterval(sample, 20);
  try {
    const report = await runScan({ configPath, logger, env: {} });
    sample();
    const store = await createFileStore({ dir: stateDir, retentionDays: 30 });
    const health = new Map<string, SourceHealth | undefined>();
    try {
      for (const source of config.sources) health.set(source.id, await store.getSourceHealth(source.id));
    } finally {
      await store.close();
    }
    return {
      report,
      row(id) {
        const found = report.rows.find((row) => row.source === id);
        if (!found) throw new Error(`no scan row for ${id}`);
        return found;
      },
      health,
      logs,
      rssGrowthBytes: peak - start.rss,
      heapGrowthBytes: heapPeak - heapOf(start),
    };
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Log lines about one URL (by substring) at warn level or above. */
export function warningsAbout(logs: LogLine[], fragment: string): LogLine[] {
  return logs.filter((line) => (line.level ?? 0) >= 40 && JSON.stringify(line).includes(fragment));
}

/** What a test file of hostile cases shares: the demo site, a hostile server and a scan of the demo alone. */
export interface HostileWorld {
  site: DemoSite;
  hostile: HostileServer;
  /** The demo rows of a scan without hostile sources, to compare against. */
  baseline: HostileScan;
}

/** Starts the shared world before the file's tests and stops it after them. */
export function useHostileWorld(): HostileWorld {
  const world = {} as HostileWorld;
  beforeAll(async () => {
    world.site = await startDemoSite();
    world.hostile = await startHostileServer();
    world.baseline = await scanWith(world.site, []);
  }, 60_000);
  afterAll(async () => {
    await world.hostile?.close();
    await world.site?.close();
  });
  return world;
}

/** The demo outlets did exactly what they do without a hostile source beside them: same rows, both stories, healthy. */
export function expectDemoUnaffected(world: HostileWorld, scan: HostileScan): void {
  expect(scan.report.stories.filter((story) => story.articles.some((article) => article.url.startsWith(world.site.url)))).toHaveLength(2);
  for (const id of DEMO_IDS) {
    expect(scan.row(id)).toEqual(world.baseline.row(id));
    expect(scan.health.get(id)?.consecutiveFailures).toBe(0);
  }
}
