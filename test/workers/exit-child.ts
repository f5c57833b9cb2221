/**
 * Run as a child process by extract-pool-exit.test.ts: uses a pool and then lets the process end on its own.
 * `idle`: extracts a page and never calls close(); idle workers must not keep the process alive.
 * `busy`: starts a page that takes about a minute, then calls close(); the busy worker must be terminated.
 */
import { PermanentError } from '../../src/errors.js';
import { createExtractPool } from '../../src/workers/extract-pool.js';
import { SLOW_PAGE_OPTIONS, fixturePages, slowPage } from './pages.js';

const mode = process.argv[2];
const pool = createExtractPool({ size: 2 });
const page = fixturePages().find((candidate) => candidate.name === 'no-article.html');
if (!page) throw new Error('fixture no-article.html is missing');

if (mode === 'idle') {
  const err = await pool.extract(page.html, page.url, {}).catch((reason: unknown) => reason);
  console.log(err instanceof PermanentError ? 'extracted' : `unexpected: ${String(err)}`);
} else if (mode === 'busy') {
  // Warm up so the slow page is handed to a ready worker and is running when close() is called.
  await pool.extract(page.html, page.url, {}).catch(() => undefined);
  const running = pool.extract(slowPage(), 'https://live.example/', SLOW_PAGE_OPTIONS).catch((reason: unknown) => reason);
  await pool.close();
  console.log(`closed: ${String(await running)}`);
} else {
  throw new Error(`exit-child: unknown mode ${String(mode)}`);
}
