import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, webhookHeaders } from '../../src/alerts/sign.js';
import { PermanentError } from '../../src/errors.js';

// The example published with the Standard Webhooks specification (and used by its reference libraries).
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const SECRET = `whsec_${Buffer.from('diplowatch test key, 32 bytes!!!').toString('base64')}`;
const BODY = '{"type":"story.created","story":{"id":"st_0123456789abcdef"}}';
const ID = 'msg_0123456789abcdef01234567';
const TS = 1_700_000_000;

describe('signWebhook', () => {
  it('reproduces the Standard Webhooks example signature', () => {
    expect(signWebhook(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  it('is v1, + base64 HMAC-SHA256 of "id.timestamp.body" keyed by the decoded secret', () => {
    const key = Buffer.from('diplowatch test key, 32 bytes!!!');
    const expected = `v1,${createHmac('sha256', key).update(`${ID}.${TS}.${BODY}`).digest('base64')}`;
    expect(signWebhook(SECRET, ID, TS, BODY)).toBe(expected);
  });

  it('accepts a secret without the whsec_ prefix', () => {
    expect(signWebhook(SPEC.secret.slice('whsec_'.length), SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  it('refuses a secret that is not base64, without echoing it', () => {
    expect(() => signWebhook('whsec_not base64!', ID, TS, BODY)).toThrow(PermanentError);
    expect(() => signWebhook('whsec_not base64!', ID, TS, BODY)).toThrow(/^alerts: webhook secret must be/);
    expect(() => signWebhook('whsec_not base64!', ID, TS, BODY)).not.toThrow(/not base64!/);
  });
});

describe('webhookHeaders', () => {
  it('gives the three Standard Webhooks headers and the JSON content type', () => {
    expect(webhookHeaders(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      'content-type': 'application/json',
    });
  });

  it('writes the timestamp as integer seconds and the signature as v1,<44 base64 chars>', () => {
    const headers = webhookHeaders(SECRET, ID, TS, BODY);
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });
});

describe('verifyWebhook', () => {
  const headers = webhookHeaders(SECRET, ID, TS, BODY);

  it('accepts the Standard Webhooks example and our own deliveries', () => {
    const spec = { 'webhook-id': SPEC.id, 'webhook-timestamp': String(SPEC.timestamp), 'webhook-signature': SPEC.signature };
    expect(verifyWebhook(SPEC.secret, spec, SPEC.body, SPEC.timestamp)).toBe(true);
    expect(verifyWebhook(SECRET, headers, BODY, TS + 10)).toBe(true);
  });

  it('accepts one matching signature among several, e.g. during secret rotation', () => {
    const other = signWebhook(`whsec_${Buffer.from('the previous secret key').toString('base64')}`, ID, TS, BODY);
    const signatures = `${other} v1a,ignoredFutureScheme ${headers['webhook-signature']}`;
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-signature': signatures }, BODY, TS)).toBe(true);
  });

  it('rejects a wrong secret', () => {
    expect(verifyWebhook(`whsec_${Buffer.from('another key').toString('base64')}`, headers, BODY, TS)).toBe(false);
  });

  it('rejects a tampered body, id or timestamp', () => {
    expect(verifyWebhook(SECRET, headers, BODY.replace('created', 'updated'), TS)).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-id': 'msg_other' }, BODY, TS)).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-timestamp': String(TS + 1) }, BODY, TS)).toBe(false);
  });

  it('rejects timestamps outside the tolerance, in the past or the future', () => {
    expect(verifyWebhook(SECRET, headers, BODY, TS + 300)).toBe(true);
    expect(verifyWebhook(SECRET, headers, BODY, TS + 301)).toBe(false);
    expect(verifyWebhook(SECRET, headers, BODY, TS - 301)).toBe(false);
    expect(verifyWebhook(SECRET, headers, BODY, TS + 3600, 7200)).toBe(true);
  });

  it('rejects missing or malformed headers and other signature versions', () => {
    const { 'webhook-signature': _s, ...unsigned } = headers;
    expect(verifyWebhook(SECRET, unsigned, BODY, TS)).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-timestamp': '17e8' }, BODY, TS)).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-signature': headers['webhook-signature'].replace('v1,', 'v2,') }, BODY, TS)).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-signature': 'v1,' }, BODY, TS)).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-signature': 'v1,AAAA' }, BODY, TS)).toBe(false);
  });

  it('reads headers in any case and as arrays, as Node may give them', () => {
    const received = { 'Webhook-Id': [ID], 'WEBHOOK-TIMESTAMP': String(TS), 'webhook-signature': [headers['webhook-signature']] };
    expect(verifyWebhook(SECRET, received, BODY, TS)).toBe(true);
  });
});
