import { readFile } from 'node:fs/promises';
import { afterEach } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createHttpClient, type FetchOptions, type HttpClient, type HttpClientDeps } from '../../src/http/client.js';
import { startServer, type TestHandler, type TestServer } from '../helpers/http.js';

/**
 * The defaulted `fetch` config with `overrides`, as the service would build it, except that pacing and robots.txt
 * are off unless a test turns them on: most tests hit one local server many times and serve no robots.txt.
 */
export function fetchOptions(overrides: Partial<FetchOptions> = {}): FetchOptions {
  return configSchema.parse({ fetch: { minDelayMs: 0, respectRobots: false, ...overrides } }).fetch;
}

/** A fixture file from `test/fixtures/http/` as bytes. */
export function fixture(name: string): Promise<Buffer> {
  return readFile(new URL(`../fixtures/http/${name}`, import.meta.url));
}

/** Resolves with the rejection of `promise`, failing when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`rejected with a non-Error: ${String(err)}`);
  }
  throw new Error('expected a rejection, got a result');
}

/** Starts servers and clients for the tests of one file, and closes them all after each test. */
export function testResources(): {
  server(handler: TestHandler): Promise<TestServer>;
  client(options: FetchOptions, deps?: HttpClientDeps): HttpClient;
} {
  const servers: TestServer[] = [];
  const clients: HttpClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    async server(handler) {
      const server = await startServer(handler);
      servers.push(server);
      return server;
    },
    client(options, deps) {
      const client = createHttpClient(options, deps);
      clients.push(client);
      return client;
    },
  };
}
