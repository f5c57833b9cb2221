import { createHmac, timingSafeEqual } from 'node:crypto';
import { PermanentError } from '../errors.js';
import type { SignedHeaders } from './types.js';

const SECRET_PREFIX = 'whsec_';

/** The HMAC key of a Standard Webhooks secret: the base64-decoded part after `whsec_` (the prefix is optional). */
function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new PermanentError('alerts: webhook secret must be "whsec_" followed by base64');
  }
  return Buffer.from(encoded, 'base64');
}

function hmac(key: Buffer, id: string, timestamp: string, body: string): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
}

/** The `webhook-signature` value: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${hmac(secretKey(secret), id, String(timestampSeconds), body).toString('base64')}`;
}

/** The Standard Webhooks headers of one delivery. */
export function webhookHeaders(secret: string, id: string, timestampSeconds: number, body: string): SignedHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook(secret, id, timestampSeconds, body),
    'content-type': 'application/json',
  };
}

/** Received headers: as Node gives them (lower-case names, arrays for repeats), as a plain object, or as signed. */
export type ReceivedHeaders = Readonly<Record<string, string | string[] | undefined>> | SignedHeaders;

function header(headers: ReceivedHeaders, name: string): string | undefined {
  const record: Readonly<Record<string, string | string[] | undefined>> = { ...headers };
  const value = record[name] ?? Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies a Standard Webhooks delivery: the timestamp is within `toleranceSeconds` of `nowSeconds` (either way,
 * against replays) and one of the space-separated `v1,` signatures matches, compared in constant time.
 */
export function verifyWebhook(secret: string, headers: ReceivedHeaders, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;

  const expected = hmac(secretKey(secret), id, timestamp, body);
  return signatures.split(' ').some((entry) => {
    const [version, encoded] = entry.split(',', 2);
    if (version !== 'v1' || !encoded) return false;
    const given = Buffer.from(encoded, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
