/**
 * Sharing one running benchmark site with child processes, so a side measured in a child does not pay for
 * serving the site. The parent writes a site file (feeds and ground truth), runs the side with `runBenchChild` and
 * answers its `stats` / `reset` requests over IPC; the child reads the file and asks for the counters around its
 * own passes (`remoteSite`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { BenchSiteServer, BenchSiteStats } from './site/server.js';

/** What a child needs to know about the running site. */
export interface SiteFile {
  options: { outlets: number; articlesPerOutlet: number; hosts: number; seed: number };
  outlets: { id: string; name: string; feedUrl: string }[];
  /** Absolute URLs of the articles a scan should find. */
  onTopicUrls: string[];
  pages: number;
}

/** The site's counters as a child sees them: asked of the parent that serves the site. */
export interface RemoteSite {
  stats(): Promise<BenchSiteStats>;
  resetStats(): Promise<void>;
}

type SiteRequest = { siteRequest: 'stats' | 'reset'; id: number };
type SiteAnswer = { siteAnswer: number; stats?: BenchSiteStats };

/** The description of a running site that a child needs. */
export function describeSite(server: BenchSiteServer, hosts: number): SiteFile {
  const { options, outlets, articles } = server.site;
  return {
    options: { outlets: options.outlets, articlesPerOutlet: options.articlesPerOutlet, hosts, seed: options.seed },
    outlets: outlets.map((outlet) => ({ id: outlet.id, name: outlet.name, feedUrl: server.feedUrl(outlet) })),
    onTopicUrls: server.onTopicUrls(),
    pages: articles.length,
  };
}

/** Writes the description of a running site to `path`. */
export async function writeSiteFile(path: string, server: BenchSiteServer, hosts: number): Promise<SiteFile> {
  const file = describeSite(server, hosts);
  await writeFile(path, JSON.stringify(file));
  return file;
}

/** Reads a site file written by `writeSiteFile`. */
export async function readSiteFile(path: string): Promise<SiteFile> {
  return JSON.parse(await readFile(path, 'utf8')) as SiteFile;
}

/** Parent side: answers a child's counter requests until it exits. */
export function serveSiteRequests(child: ChildProcess, server: BenchSiteServer): void {
  child.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null || !('siteRequest' in message)) return;
    const request = message as SiteRequest;
    if (request.siteRequest === 'reset') server.resetStats();
    const answer: SiteAnswer = { siteAnswer: request.id, stats: request.siteRequest === 'stats' ? server.stats() : undefined };
    child.send(answer);
  });
}

/** Child side: the site's counters, asked of the parent over IPC. Throws when there is no IPC channel. */
export function remoteSite(): RemoteSite {
  if (!process.send) throw new Error('bench: --site-file needs an IPC channel to the process serving the site (bench/scan-compare.ts)');
  let next = 0;
  const ask = (siteRequest: SiteRequest['siteRequest']): Promise<SiteAnswer> =>
    new Promise((resolve) => {
      const id = ++next;
      const onMessage = (message: unknown): void => {
        if (typeof message !== 'object' || message === null || (message as SiteAnswer).siteAnswer !== id) return;
        process.off('message', onMessage);
        resolve(message as SiteAnswer);
      };
      process.on('message', onMessage);
      process.send?.({ siteRequest, id } satisfies SiteRequest);
    });
  return {
    stats: async () => {
      const answer = await ask('stats');
      if (!answer.stats) throw new Error('bench: the site process sent no counters');
      return answer.stats;
    },
    resetStats: async () => {
      await ask('reset');
    },
  };
}

/** How to run one benchmark side in a child process. */
export interface BenchChildOptions {
  /** Script path, relative to `cwd`. */
  script: string;
  siteFile: string;
  server: BenchSiteServer;
  cwd: string;
  /** Write a V8 CPU profile of the child here. */
  profileDir?: string;
  /** Where Crawlee may write if it ignores `persistStorage: false`, instead of `cwd/storage`. */
  storageDir?: string;
  /** @defaultValue 15 minutes: a side still running by then is stuck, not slow. */
  timeoutMs?: number;
}

/** Runs a side's script under tsx with an IPC channel to the site; resolves with its last JSON line on stdout. */
export async function runBenchChild(options: BenchChildOptions): Promise<Record<string, unknown>> {
  const nodeArgs = ['--import', 'tsx'];
  if (options.profileDir) {
    await mkdir(options.profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', options.profileDir);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, CRAWLEE_PERSIST_STORAGE: 'false' };
  if (options.storageDir) env.CRAWLEE_STORAGE_DIR = options.storageDir;
  // node itself rather than the tsx CLI, so the IPC channel and --cpu-prof reach the script's own process.
  const child = spawn(process.execPath, [...nodeArgs, options.script, '--site-file', options.siteFile], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  serveSiteRequests(child, options.server);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15 * 60_000);
  const code = await new Promise<number | null>((resolveExit) => child.on('close', (exitCode) => resolveExit(exitCode)));
  clearTimeout(timer);
  const last = stdout.trim().split('\n').filter((line) => line.startsWith('{')).pop();
  if (code !== 0 || last === undefined) throw new Error(`bench: ${options.script} exited with ${code}\n${stderr.slice(-3000)}`);
  return JSON.parse(last) as Record<string, unknown>;
}
