import { readFile } from 'node:fs/promises';
import { configSchema } from '../../src/config/schema.js';
import type { FetchOptions } from '../../src/http/client.js';

/** The defaulted `fetch` config with `overrides`, as the service would build it. */
export function fetchOptions(overrides: Partial<FetchOptions> = {}): FetchOptions {
  return configSchema.parse({ fetch: overrides }).fetch;
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
