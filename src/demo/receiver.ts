import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../alerts/sign.js';
import type { AlertPayload } from '../alerts/types.js';

/** One POST received by the webhook receiver. */
export interface ReceivedAlert {
  id: string;
  timestamp: string;
  signatureValid: boolean;
  body: string;
  payload: AlertPayload | undefined;
}

/** A local webhook receiver that verifies Standard Webhooks signatures, as a user's endpoint would. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedAlert[];
  /** Answers the next requests with these statuses (then 200), to exercise retries. */
  failNext(statuses: number[]): void;
  /** Resolves when at least `count` alerts with a valid signature have arrived, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<ReceivedAlert[]>;
  onAlert(listener: (alert: ReceivedAlert) => void): void;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 and a free port, verifying with `secret`. */
export async function startWebhookReceiver(secret: string, options: { now?: () => number } = {}): Promise<WebhookReceiver> {
  const received: ReceivedAlert[] = [];
  const listeners: Array<(alert: ReceivedAlert) => void> = [];
  const waiters: Array<() => void> = [];
  const failures: number[] = [];
  const now = options.now ?? (() => Date.now());
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const forced = failures.shift();
      if (forced !== undefined) {
        res.writeHead(forced);
        res.end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const signatureValid = verifyWebhook(secret, headers, body, Math.floor(now() / 1000));
      let payload: AlertPayload | undefined;
      try {
        payload = JSON.parse(body) as AlertPayload;
      } catch {
        payload = undefined;
      }
      const alert: ReceivedAlert = { id: headers['webhook-id'] ?? '', timestamp: headers['webhook-timestamp'] ?? '', signatureValid, body, payload };
      received.push(alert);
      res.writeHead(signatureValid ? 204 : 401);
      res.end();
      for (const listener of listeners) listener(alert);
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/diplowatch`,
    received,
    failNext(statuses) {
      failures.push(...statuses);
    },
    onAlert(listener) {
      listeners.push(listener);
    },
    async waitFor(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (received.filter((alert) => alert.signatureValid).length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`receiver: expected ${count} signed alert(s), got ${received.length} after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 250));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received.filter((alert) => alert.signatureValid);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
