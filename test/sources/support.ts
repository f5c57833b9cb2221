import { readFile } from 'node:fs/promises';
import { configSchema } from '../../src/config/schema.js';
import { createHttpClient, type HttpClient } from '../../src/http/client.js';
import type { FetchValidators, Store } from '../../src/store/store.js';

/** The real client with default settings, allowed to reach 127.0.0.1, without pacing or robots.txt. */
export function testClient(): HttpClient {
  return createHttpClient({ ...configSchema.parse({}).fetch, allowPrivateNetworks: true, minDelayMs: 0, respectRobots: false });
}

/** Reads a file from test/fixtures/discovery. */
export function discoveryFixture(name: string): Promise<string> {
  return readFile(new URL(`../fixtures/discovery/${name}`, import.meta.url), 'utf8');
}

/**
 * The validator part of the Store port, kept in a Map: `fetchRefs` uses nothing else. The store
 * implementations have their own tests; here what matters is what the HTTP exchange stores and sends.
 */
export class ValidatorMap {
  readonly saved = new Map<string, FetchValidators>();

  asStore(): Store {
    return {
      getValidators: async (url: string) => this.saved.get(url),
      setValidators: async (url: string, validators: FetchValidators) => {
        this.saved.set(url, validators);
      },
    } as unknown as Store;
  }
}
