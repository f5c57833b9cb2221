import { pino, type Logger, type LoggerOptions } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'secret',
  '*.secret',
  '*.*.secret',
  'alerts.webhooks[*].secret',
  'headers.authorization',
  'headers["webhook-signature"]',
  'redisUrl',
  'token',
];

/**
 * The process logger: JSON lines by default, pretty when stdout is a TTY (or `LOG_PRETTY=1`).
 * Fixed keys: `source`, `url`, `outcome`, `durationMs`, `err`.
 */
export function createLogger(options: { level?: string; pretty?: boolean; destination?: NodeJS.WritableStream } = {}): Logger {
  const pretty = options.pretty ?? (process.env.LOG_PRETTY === '1' || (process.stdout.isTTY === true && process.env.LOG_PRETTY !== '0'));
  const base: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (options.destination) return pino(base, options.destination as never);
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } });
  }
  return pino(base);
}

/** Replaces the password in a Redis (or any) URL before it is logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

export type { Logger };
