import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { verifyWebhook } from '../../src/alerts/sign.js';
import type { AlertPayload } from '../../src/alerts/types.js';
import type { DemoSite } from '../../src/demo/site.js';
import { createLogger, type Logger } from '../../src/log.js';
import type { Service } from '../../src/service.js';
import { readBody, startServer, type TestServer } from '../helpers/http.js';

/** The project root: the CLI runs from here. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOPIC_FILE = fileURLToPath(new URL('../../config/topics/iran-latam.yaml', import.meta.url));

/**
 * Never fires during a test: the service polls once at start-up. Six fields, so a later `scheduler.runNow()`
 * (a second or more later) is a new tick rather than a duplicate of the start-up poll.
 */
export const NEVER = '0 0 0 1 1 *';

/** A 2023 story the demo site does not serve until a test publishes it. */
export const HAVANA = {
  path: '/wire/world/americas/iran-cuba-ambassador',
  file: 'presstv-cuba-embassy.html',
  title: 'New Iranian ambassador presents credentials in Havana',
  publishedAt: '2023-09-04T09:00:00Z',
  onTopic: true,
} as const;

/** Publishes HAVANA on Demo Wire and polls every source again, once the start-up poll's second has passed. */
export async function breakNewStory(site: DemoSite, service: Service): Promise<void> {
  site.publish('demo-wire', { ...HAVANA });
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await service.scheduler?.runNow();
}

/** How the scripted endpoint answers one request. */
export type Reply = { status: number; headers?: Record<string, string> } | { hang: true };

/** One request the scripted endpoint received, whatever it answered. */
export interface Attempt {
  /** `Date.now()` when the request body had arrived. */
  at: number;
  /** When the answer was sent (undefined while hanging or when it never was). */
  answeredAt?: number;
  /** When the client closed a request that was left hanging. */
  closedAt?: number;
  id: string;
  /** `webhook-timestamp`, in seconds. */
  timestamp: number;
  signatureValid: boolean;
  body: string;
  payload: AlertPayload | undefined;
  /** The status answered, or 'hang'. */
  reply: number | 'hang';
}

/** A webhook endpoint that answers from a script (then 204 for signed requests) and records every request. */
export interface ScriptedEndpoint {
  url: string;
  secret: string;
  attempts: Attempt[];
  /** Queues answers for the next requests, in order. */
  script(...replies: Reply[]): void;
  /** Answers every later request this way until `always(undefined)`. */
  always(reply: Reply | undefined): void;
  /** The 2xx answers, in order. */
  delivered(): Attempt[];
  /** Every request of one alert (one `webhook-id`), in order. */
  byId(id: string): Attempt[];
  close(): Promise<void>;
}

/** Starts a scripted endpoint on 127.0.0.1, port 0, verifying Standard Webhooks signatures with a fresh secret. */
export async function startScriptedEndpoint(): Promise<ScriptedEndpoint> {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const attempts: Attempt[] = [];
  const queued: Reply[] = [];
  let standing: Reply | undefined;
  const server = await startServer(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const header = (name: string): string => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : '';
    };
    const signatureValid = verifyWebhook(secret, { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') }, body, Math.floor(Date.now() / 1000));
    let payload: AlertPayload | undefined;
    try {
      payload = JSON.parse(body) as AlertPayload;
    } catch {
      payload = undefined;
    }
    const reply = queued.shift() ?? standing ?? { status: signatureValid ? 204 : 401 };
    const attempt: Attempt = { at: Date.now(), id: header('webhook-id'), timestamp: Number(header('webhook-timestamp')), signatureValid, body, payload, reply: 'hang' in reply ? 'hang' : reply.status };
    attempts.push(attempt);
    if ('hang' in reply) {
      req.socket.on('close', () => {
        attempt.closedAt = Date.now();
      });
      return;
    }
    res.writeHead(reply.status, reply.headers ?? {});
    res.end();
    attempt.answeredAt = Date.now();
  });
  return {
    url: `${server.url}/hooks/newsroom`,
    secret,
    attempts,
    script: (...replies) => void queued.push(...replies),
    always(reply) {
      standing = reply;
    },
    delivered: () => attempts.filter((attempt) => typeof attempt.reply === 'number' && attempt.reply >= 200 && attempt.reply < 300),
    byId: (id) => attempts.filter((attempt) => attempt.id === id),
    close: () => server.close(),
  };
}

/** A webhook in the generated config. */
export interface HookConfig {
  id: string;
  url: string;
  secret: string;
}

/** A config for the demo site (its three 2023 outlets, any age accepted) with these webhooks and settings. */
export function faultConfig(options: {
  site: DemoSite;
  webhooks: HookConfig[];
  stateDir: string;
  schedule?: string;
  /** Extra `alerts:` keys, e.g. `{ retryBaseMs: 200 }`. */
  alerts?: Record<string, number>;
  server?: boolean;
  /** Source ids to leave out. */
  without?: string[];
  redis?: { url: string; prefix: string };
}): string {
  const schedule = options.schedule ?? NEVER;
  const sources = [
    { id: 'demo-wire', name: 'Demo Wire', kind: `feed: ${options.site.sourceUrls['demo-wire']}`, language: 'en' },
    { id: 'demo-levant', name: 'Demo Levant', kind: `feed: ${options.site.sourceUrls['demo-levant']}`, language: 'en' },
    { id: 'demo-sur', name: 'Demo Sur', kind: `listing: ${options.site.sourceUrls['demo-sur']}\n    articlePattern: '${options.site.listingPattern}'`, language: 'es' },
  ].filter((source) => !options.without?.includes(source.id));
  const lines = ['sources:'];
  for (const source of sources) {
    lines.push(`  - id: ${source.id}`, `    name: ${source.name}`, `    ${source.kind}`, `    schedule: "${schedule}"`, `    language: ${source.language}`, '    maxAgeDays: 100000');
  }
  lines.push('alerts:', '  webhooks:');
  for (const hook of options.webhooks) lines.push(`    - id: ${hook.id}`, `      url: ${hook.url}`, `      secret: ${hook.secret}`);
  for (const [key, value] of Object.entries(options.alerts ?? {})) lines.push(`  ${key}: ${value}`);
  lines.push('fetch:', '  allowPrivateNetworks: true', '  minDelayMs: 0');
  lines.push('server:', `  enabled: ${options.server ?? false}`, '  port: 0');
  lines.push('detect:', `  topic: ${TOPIC_FILE}`, 'state:', `  dir: ${options.stateDir}`);
  // One worker at a time makes "an alert after the disable" well defined; extraction in process keeps tests light.
  lines.push('queue:', '  alertConcurrency: 1', 'extract:', '  workers: 0');
  if (options.redis) lines.push('redis:', `  url: ${options.redis.url}`, `  prefix: ${options.redis.prefix}`);
  return `${lines.join('\n')}\n`;
}

/** A logger whose JSON lines are kept, so tests can count what was logged. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>>; count(msg: string | RegExp): number } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'info', pretty: false, destination });
  const count = (msg: string | RegExp): number => lines.filter((line) => typeof line.msg === 'string' && (typeof msg === 'string' ? line.msg.includes(msg) : msg.test(line.msg))).length;
  return { logger, lines, count };
}

/** What one CLI run printed and how it exited. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `diplowatch ARGS` as a child process (`node --import tsx src/cli.ts`), in embedded mode. */
export function runCli(args: string[]): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The generated config decides the mode and the state folder, not the developer's shell.
  for (const name of ['REDIS_URL', 'DIPLOWATCH_STATE_DIR', 'DIPLOWATCH_CONFIG', 'LOG_LEVEL']) delete env[name];
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Resolves once `check` holds, polling every 25 ms; rejects with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Milliseconds a timer may fire before its nominal time: libuv measures timers from a cached loop time. */
export const TIMER_SLACK_MS = 20;

/** Sums `diplowatch_alerts_total` samples with these labels in a Prometheus text exposition. */
export function alertsTotal(metricsText: string, webhook: string, outcome: string): number {
  const line = metricsText.split('\n').find((candidate) => candidate.startsWith(`diplowatch_alerts_total{`) && candidate.includes(`webhook="${webhook}"`) && candidate.includes(`outcome="${outcome}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

export type { TestServer };
