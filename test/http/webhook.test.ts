import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../../src/http/client.js';
import { readBody, startServer, type TestServer } from '../helpers/http.js';
import { fetchOptions } from './support.js';

const alertBody = JSON.stringify({
  type: 'story.created',
  story: {
    id: 'st_2023-06-12_raisi-caracas',
    title: 'Raisi arrives in Caracas at the start of a Latin American tour',
    url: 'https://news.example/world/2023/06/12/raisi-caracas',
    outlet: 'Caribbean Daily',
    publishedAt: '2023-06-12T18:30:00Z',
    score: 0.92,
    reasons: ['actor:Raisi', 'place:Caracas', 'event:visit'],
    articles: [],
  },
});
const signedHeaders = { 'webhook-id': 'msg_st_2023-06-12_created', 'webhook-timestamp': '1686594600', 'webhook-signature': 'v1,abc=' };

let receiver: TestServer | undefined;
let client: HttpClient | undefined;
const hits: Array<{ path: string; method: string; body: string; headers: IncomingMessage['headers'] }> = [];

async function receive(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  receiver = await startServer(async (req, res) => {
    hits.push({ path: req.url ?? '', method: req.method ?? '', body: await readBody(req), headers: req.headers });
    handler(req, res);
  });
  // Webhook URLs are the operator's choice: the client must reach localhost without allowPrivateNetworks.
  client = createHttpClient(fetchOptions());
  return `${receiver.url}/hooks/diplowatch`;
}

afterEach(async () => {
  hits.length = 0;
  await client?.close();
  await receiver?.close();
  client = undefined;
  receiver = undefined;
});

describe('postWebhook', () => {
  it('POSTs the body with the signature headers; 2xx is ok', async () => {
    const url = await receive((_req, res) => res.writeHead(202).end('accepted'));
    const result = await client!.postWebhook(url, alertBody, signedHeaders, { timeoutMs: 1000 });
    expect(result).toMatchObject({ ok: true, statusCode: 202 });
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ method: 'POST', path: '/hooks/diplowatch', body: alertBody });
    expect(hits[0]?.headers).toMatchObject({ ...signedHeaders, 'content-type': 'application/json' });
  });

  it('reads and drops a large answer', async () => {
    const url = await receive((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(1024 * 1024)));
    expect(await client!.postWebhook(url, alertBody, signedHeaders, { timeoutMs: 1000 })).toMatchObject({ ok: true, statusCode: 200 });
  });

  it('500 is retryable', async () => {
    const url = await receive((_req, res) => res.writeHead(500).end('boom'));
    const result = await client!.postWebhook(url, alertBody, signedHeaders, { timeoutMs: 1000 });
    expect(result).toMatchObject({ ok: false, statusCode: 500, permanent: false });
    expect(result.ok === false && result.error).toBe(`webhook: HTTP 500 (${receiver!.url}/…)`);
  });

  it('410 and 400 are permanent', async () => {
    for (const status of [410, 400]) {
      const url = await receive((_req, res) => res.writeHead(status).end());
      expect(await client!.postWebhook(url, alertBody, signedHeaders, { timeoutMs: 1000 })).toMatchObject({ ok: false, statusCode: status, permanent: true });
      await client!.close();
      await receiver!.close();
    }
  });

  it('429 is retryable after the Retry-After the receiver asked for', async () => {
    const url = await receive((_req, res) => res.writeHead(429, { 'retry-after': '30' }).end());
    expect(await client!.postWebhook(url, alertBody, signedHeaders, { timeoutMs: 1000 })).toMatchObject({ ok: false, statusCode: 429, permanent: false, retryAfterMs: 30_000 });
  });

  it('does not follow a 301', async () => {
    const url = await receive((req, res) => {
      if (req.url === '/moved-here') res.writeHead(200).end();
      else res.writeHead(301, { location: '/moved-here' }).end();
    });
    const result = await client!.postWebhook(url, alertBody, signedHeaders, { timeoutMs: 1000 });
    expect(result).toMatchObject({ ok: false, statusCode: 301, permanent: true });
    expect(result.ok === false && result.error).toMatch(/^webhook: HTTP 301 redirect not followed/);
    expect(hits.map((h) => h.path)).toEqual(['/hooks/diplowatch']);
  });

  it('aborts a receiver that never answers at timeoutMs, as retryable', async () => {
    const url = await receive(() => undefined);
    const result = await client!.postWebhook(url, alertBody, signedHeaders, { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(result.ok === false && result.error).toBe(`webhook: timeout after 0.3 s (${receiver!.url}/…)`);
    expect(result.ok === false && result.statusCode).toBeUndefined();
  });

  it('a refused connection is retryable', async () => {
    const gone = await startServer(() => undefined);
    await gone.close();
    client = createHttpClient(fetchOptions());
    const result = await client.postWebhook(`${gone.url}/hook`, alertBody, signedHeaders, { timeoutMs: 1000 });
    expect(result).toMatchObject({ ok: false, permanent: false, error: `webhook: connection refused (${gone.url}/…)` });
  });

  it('keeps a secret in the webhook path out of the error', async () => {
    const url = await receive((_req, res) => res.writeHead(503).end());
    const secretUrl = url.replace('/hooks/diplowatch', '/services/T0001/B0002/s3cr3tT0k3n');
    const result = await client!.postWebhook(secretUrl, alertBody, signedHeaders, { timeoutMs: 1000 });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('s3cr3tT0k3n');
  });
});
