import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

/** The project root, where `src/cli.ts` lives. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A free TCP port on 127.0.0.1 (free when asked; tests use it at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || address === null) throw new Error('processes: no free port');
  return address.port;
}

/** A `redis-server` owned by one test: its own port and directory, stopped, started and killed at will. */
export interface RedisProcess {
  port: number;
  url: string;
  dir: string;
  /** Starts the server (again) on the same port and directory; resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGTERM (a clean shutdown; with AOF on, the file is complete) and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL, like a crash. */
  kill(): Promise<void>;
  /** A client for assertions (lazy, short retries); the caller disconnects it. */
  client(): Redis;
  /** Stops the server and removes its directory; safe to call twice. */
  dispose(): Promise<void>;
}

/** Starts `redis-server --port N --save "" --appendonly yes|no --dir TMP [--requirepass P] [extra…]`. */
export async function startRedisProcess(options: { appendonly?: boolean; password?: string; extraArgs?: string[] } = {}): Promise<RedisProcess> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'dw-redis-'));
  let child: ChildProcess | undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.appendonly ? 'yes' : 'no', '--dir', dir, ...(options.password ? ['--requirepass', options.password] : []), ...(options.extraArgs ?? [])];
  const auth = options.password ? { password: options.password } : {};
  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  };
  const redis: RedisProcess = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async start() {
      child = spawn('redis-server', args, { stdio: 'ignore' });
      await waitForPing(port, auth);
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    client: () => new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, ...auth }),
    async dispose() {
      await end('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await redis.start();
  } catch (err) {
    // Not yet handed to the caller, so nobody else would stop it.
    await redis.dispose();
    throw err;
  }
  return redis;
}

async function waitForPing(port: number, auth: { password?: string }): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...auth });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(50);
    } finally {
      probe.disconnect();
    }
  }
}

/** One JSON log line of the service (pino: `level` 30 info, 40 warn, 50 error). */
export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** The service running as a child process: `node --import tsx src/cli.ts run --config …`. */
export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  /** Parsed JSON log lines from stdout, in order. */
  logs: LogLine[];
  /** Everything written to stdout and stderr, for "never printed" checks and failure messages. */
  output(): string;
  /** Resolves with the first log line (already seen or future) matching `test`; rejects after `timeoutMs`. */
  waitForLog(test: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine>;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | NodeJS.Signals>;
  /** Sends `signal` unless the process is gone. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILLs it if still running and waits for the exit. */
  dispose(): Promise<void>;
}

/** Starts `diplowatch run` from source with `LOG_LEVEL=info` and JSON logs. */
export function startServiceProcess(options: { configPath: string; role?: 'all' | 'scheduler' | 'worker'; env?: Record<string, string> }): ServiceProcess {
  const args = ['--import', 'tsx', 'src/cli.ts', 'run', '--config', options.configPath, ...(options.role ? ['--role', options.role] : [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', LOG_PRETTY: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const chunks: string[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    chunks.push(text);
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const parsed = JSON.parse(line) as unknown;
        if (typeof parsed === 'object' && parsed !== null && 'msg' in parsed) logs.push(parsed as LogLine);
      } catch {
        // Not a log line (a stray print); kept in output() only.
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', (text: string) => chunks.push(text));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'SIGKILL');
      for (const wake of waiters) wake();
    });
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const output = () => chunks.join('');
  return {
    child,
    pid: child.pid ?? -1,
    logs,
    output,
    exited,
    async waitForLog(test, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs.find(test);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0 || gone()) {
          throw new Error(`processes: no matching log line after ${timeoutMs} ms${gone() ? ' (process exited)' : ''}; output:\n${output().slice(-4000)}`);
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(left, 250));
          waiters.add(wake);
        });
      }
    },
    signal(signal) {
      if (!gone()) child.kill(signal);
    },
    async dispose() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `check` every 100 ms until it returns true; rejects with `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`processes: timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
