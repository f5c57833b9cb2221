import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import { createHttpClient, type HttpClient } from '../../src/http/client.js';
import { startServer, type TestServer } from '../helpers/http.js';
import { fetchOptions, rejection } from './support.js';

// Tests can only listen on 127.0.0.1, so "the outside world" is played by trusted URLs and the internal service
// an attacker wants to reach by a second server on another port.
let outlet: TestServer;
let internal: TestServer;
let internalHits: number;
let client: HttpClient | undefined;

beforeEach(async () => {
  internalHits = 0;
  internal = await startServer((_req, res) => {
    internalHits += 1;
    res.writeHead(200, { 'content-type': 'text/html' }).end('<p>internal admin page</p>');
  });
  outlet = await startServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/to-internal') res.writeHead(302, { location: `${internal.url}/admin` }).end();
    else if (path === '/to-localhost') res.writeHead(301, { location: `http://localhost:${new URL(internal.url).port}/admin` }).end();
    else if (path === '/to-mapped') res.writeHead(301, { location: `http://[::ffff:127.0.0.1]:${new URL(internal.url).port}/` }).end();
    else if (path === '/to-decimal') res.writeHead(301, { location: `http://2130706433:${new URL(internal.url).port}/` }).end();
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Iran and Venezuela sign a 20-year cooperation plan</h1>');
  });
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  await Promise.all([outlet.close(), internal.close()]);
});

function make(overrides: Parameters<typeof fetchOptions>[0] = {}): HttpClient {
  client = createHttpClient(fetchOptions(overrides));
  return client;
}

describe('SSRF guard', () => {
  it('refuses an untrusted URL on a loopback address', async () => {
    const err = await rejection(make().get(`${internal.url}/`, { accept: 'html' }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`fetch: refusing private address 127.0.0.1 for ${internal.url}/`);
    expect(internalHits).toBe(0);
  });

  it('allows a trusted (configured) URL on a loopback address', async () => {
    const result = await make().get(`${internal.url}/`, { accept: 'html', trusted: true });
    expect(result.status).toBe('ok');
    expect(internalHits).toBe(1);
  });

  it('refuses a redirect from a trusted URL to a private address', async () => {
    const err = await rejection(make().get(`${outlet.url}/to-internal`, { accept: 'html', trusted: true }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`fetch: refusing private address 127.0.0.1 for ${internal.url}/admin`);
    expect(internalHits).toBe(0);
  });

  it('follows that redirect when allowPrivateNetworks is set', async () => {
    const result = await make({ allowPrivateNetworks: true }).get(`${outlet.url}/to-internal`, { accept: 'html', trusted: true });
    expect(result).toMatchObject({ status: 'ok', url: `${internal.url}/admin` });
    expect(internalHits).toBe(1);
  });

  it('follows that redirect when the address is in allowHosts', async () => {
    const result = await make({ allowHosts: ['127.0.0.1'] }).get(`${outlet.url}/to-internal`, { accept: 'html', trusted: true });
    expect(result.status).toBe('ok');
    expect(internalHits).toBe(1);
  });

  it('refuses localhost after resolving it', async () => {
    const port = new URL(internal.url).port;
    const err = await rejection(make().get(`http://localhost:${port}/`, { accept: 'html' }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(new RegExp(`^fetch: refusing private address (127\\.0\\.0\\.1|::1) for http://localhost:${port}/$`));
    expect(internalHits).toBe(0);
  });

  it('refuses a redirect to localhost, to an IPv4-mapped address and to a decimal IPv4 host', async () => {
    const guarded = make();
    for (const path of ['/to-localhost', '/to-mapped', '/to-decimal']) {
      const err = await rejection(guarded.get(`${outlet.url}${path}`, { accept: 'html', trusted: true }));
      expect(err, path).toBeInstanceOf(PermanentError);
      expect(err.message, path).toMatch(/^fetch: refusing private address /);
    }
    expect(internalHits).toBe(0);
  });

  it('allows localhost by host name in allowHosts', async () => {
    const port = new URL(internal.url).port;
    const result = await make({ allowHosts: ['LOCALHOST'] }).get(`http://localhost:${port}/`, { accept: 'html' });
    expect(result.status).toBe('ok');
    expect(internalHits).toBe(1);
  });

  it('refuses IPv6 loopback and metadata addresses without connecting', async () => {
    const guarded = make();
    const v6 = await rejection(guarded.get('http://[::1]:9/', { accept: 'html' }));
    expect(v6.message).toBe('fetch: refusing private address ::1 for http://[::1]:9/');
    // Port 9 (discard) on a link-local address: were the guard to let it through, this would be a timeout instead.
    const metadata = await rejection(guarded.get('http://169.254.169.254/latest/meta-data/', { accept: 'any' }));
    expect(metadata.message).toBe('fetch: refusing private address 169.254.169.254 for http://169.254.169.254/latest/meta-data/');
  });

  it('does not let a trusted request leave a connection that an untrusted one reuses', async () => {
    const shared = make();
    expect((await shared.get(`${internal.url}/`, { accept: 'html', trusted: true })).status).toBe('ok');
    const err = await rejection(shared.get(`${internal.url}/again`, { accept: 'html' }));
    expect(err.message).toBe(`fetch: refusing private address 127.0.0.1 for ${internal.url}/again`);
    expect(internalHits).toBe(1);
  });
});
