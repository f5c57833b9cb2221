/**
 * What the service benchmarks (time-to-alert, scale, soak) share: a config written for the bench site, the
 * service started as a child process the way an operator starts it (`node --import tsx src/cli.ts run`), its CPU
 * time and RSS read from /proc, a webhook secret, Redis key clean-up, and small statistics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A Standard Webhooks secret for the bench receiver. */
export const BENCH_SECRET = `whsec_${Buffer.from('bench-service-secret-0123456789ab').toString('base64')}`;

/** Redis for the benchmarks: db 10, apart from tests (db 9) and data (db 0). */
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/10';

/** One source of the bench config. */
export interface BenchSource {
  id: string;
  name: string;
  feed: string;
  schedule: string;
  maxAgeDays?: number;
}

/** Writes a service config for the bench site to `path`. */
export async function writeBenchConfig(
  path: string,
  options: { sources: BenchSource[]; webhookUrl: string; stateDir: string; redis?: { url: string; prefix: string }; minDelayMs?: number; logLevel?: string; extra?: Record<string, unknown> },
): Promise<void> {
  const config = {
    sources: options.sources,
    alerts: { webhooks: [{ id: 'bench', url: options.webhookUrl, secret: BENCH_SECRET }] },
    // The site is on loopback; 0 ms between two requests to one host stands for outlets on distinct hosts.
    fetch: { allowPrivateNetworks: true, minDelayMs: options.minDelayMs ?? 0 },
    detect: { topic: fileURLToPath(new URL('../../config/topics/iran-latam.yaml', import.meta.url)) },
    state: { dir: options.stateDir },
    log: { level: options.logLevel ?? 'warn' },
    server: { enabled: true, port: 0 },
    ...(options.redis ? { redis: options.redis } : {}),
    ...options.extra,
  };
  await writeFile(path, stringify(config));
}

/** A service child process. */
export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts `diplowatch run` as a child process with its output appended to `logPath`. The environment is the
 * parent's without REDIS_URL and friends, so only the config decides the mode.
 */
export function startServiceProcess(configPath: string, options: { role?: 'all' | 'scheduler' | 'worker'; logPath: string }): ServiceProcess {
  const env: Record<string, string | undefined> = { ...process.env, REDIS_URL: undefined, DIPLOWATCH_STATE_DIR: undefined, LOG_LEVEL: undefined };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', '--config', configPath, '--role', options.role ?? 'all'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(options.logPath, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  if (child.pid === undefined) throw new Error('bench: could not start the service process');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** CPU time (ms, user + system, all threads) and resident memory (bytes) of a process, from /proc. */
export async function processUsage(pid: number): Promise<{ cpuMs: number; rssBytes: number } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of proc(5))
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    // USER_HZ is 100 on Linux.
    return { cpuMs: ticks * 10, rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

/** Deletes every key under `prefix` in the bench Redis; returns how many. */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Value at quantile `q` (0..1) of `values`, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((sum, p) => sum + p.x, 0) / n;
  const my = points.reduce((sum, p) => sum + p.y, 0) / n;
  const sxy = points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

/** The 1-minute load average, for printing next to a number measured on a shared machine. */
export function load1(): string {
  return (loadavg()[0] ?? 0).toFixed(2);
}

/** Integer option `--name N` of the command line. */
export function numberArg(name: string, fallback: number, min = 0): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value < min) throw new Error(`bench: --${name} needs a number of at least ${min}`);
  return value;
}

/** String option `--name VALUE` of the command line. */
export function stringArg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : (process.argv[at + 1] ?? fallback);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
