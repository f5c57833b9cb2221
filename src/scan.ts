import type { Logger } from 'pino';
import { loadConfig } from './config/load.js';
import type { SourceTally } from './jobs/deps.js';
import { concurrencyFrom } from './queue/index.js';
import { chooseMode, createRuntime } from './runtime.js';
import { warnAboutConfig } from './service.js';
import type { Story } from './stories/types.js';

/** One row of the scan table. */
export interface ScanRow {
  source: string;
  name: string;
  items: number;
  fresh: number;
  matches: number;
  errors: string[];
}

/** What one pass found. */
export interface ScanReport {
  rows: ScanRow[];
  stories: Story[];
  failedAlerts: number;
  durationMs: number;
}

/**
 * One pass over every enabled source, in process (embedded mode, state under `state.dir`), then exit.
 * Alerts get a short retry schedule here so the pass ends; those that still fail are kept as failed.
 */
export async function runScan(options: { configPath: string; logger: Logger; dryRun?: boolean; env?: Record<string, string | undefined> }): Promise<ScanReport> {
  const started = Date.now();
  const loaded = await loadConfig(options.configPath, options.env ?? process.env);
  const config = loaded.config;
  warnAboutConfig(config, options.logger);
  const tally = new Map<string, SourceTally>();
  const runtime = await createRuntime({
    loaded,
    logger: options.logger,
    mode: chooseMode(config, { forceEmbedded: true }),
    dryRun: options.dryRun ?? false,
    tally,
    // A short alert schedule (never longer than the configured one) so the pass ends; what still fails is kept as failed.
    policies: { alert: { attempts: Math.min(config.alerts.attempts, 3), baseDelayMs: Math.min(config.alerts.retryBaseMs, 1_000), maxDelayMs: Math.min(config.alerts.retryMaxMs, 4_000) } },
  });
  const scanStart = new Date(started).toISOString();
  const failedBefore = (await runtime.store.listFailedAlerts()).length;
  try {
    runtime.queue.start(runtime.handlers, { concurrency: concurrencyFrom(config), onFailed: runtime.onFailed });
    const enabled = config.sources.filter((source) => source.enabled);
    for (const source of enabled) {
      await runtime.queue.add({ name: 'discover', id: `discover-${source.id}-scan-${started}`, data: { sourceId: source.id, tick: scanStart, force: true } });
    }
    await runtime.queue.drained();
    const rows = enabled.map((source): ScanRow => {
      const counts = tally.get(source.id) ?? { items: 0, fresh: 0, articles: 0, matches: 0, errors: [] };
      return { source: source.id, name: source.name, items: counts.items, fresh: counts.fresh, matches: counts.matches, errors: counts.errors };
    });
    const stories = await runtime.store.listStories({ since: scanStart });
    const failedAlerts = (await runtime.store.listFailedAlerts()).length - failedBefore;
    return { rows, stories, failedAlerts, durationMs: Date.now() - started };
  } finally {
    await runtime.close(config.shutdownGraceMs);
  }
}

/** The scan report as a text table, for the terminal. */
export function formatScanReport(report: ScanReport): string {
  const header = ['source', 'items', 'new', 'matches', 'errors'];
  const body = report.rows.map((row) => [row.source, String(row.items), String(row.fresh), String(row.matches), row.errors.length === 0 ? '' : `${row.errors.length}: ${row.errors[0]}`]);
  const lines = [table([header, ...body])];
  lines.push('');
  if (report.stories.length === 0) {
    lines.push('no new stories');
  } else {
    lines.push(`${report.stories.length} new ${report.stories.length === 1 ? 'story' : 'stories'}:`);
    for (const story of report.stories) {
      lines.push(`  ${story.id}  ${story.title}`);
      for (const article of story.articles) lines.push(`    - ${article.outlet}: ${article.url}`);
    }
  }
  if (report.failedAlerts > 0) lines.push(`${report.failedAlerts} alert(s) could not be delivered; see \`diplowatch alerts failed\``);
  lines.push(`scan took ${(report.durationMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

/** Left-aligned columns, two spaces apart; long cells are cut. */
export function table(rows: string[][]): string {
  const cut = rows.map((row) => row.map((cell) => (cell.length > 90 ? `${cell.slice(0, 87)}...` : cell)));
  const widths: number[] = [];
  for (const row of cut) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return cut.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}
