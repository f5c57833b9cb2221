/** Pages for the extraction-pool tests: the project's article fixtures and a page built to be slow. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One HTML page with the URL it is extracted under. */
export interface FixturePage {
  name: string;
  url: string;
  html: string;
}

// The article fixtures moved from test/fixtures/pages to demo/pages (the demo site serves them); either will do.
const pagesDir = ['../../demo/pages/', '../fixtures/pages/']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((dir) => existsSync(dir)) ?? fileURLToPath(new URL('../../demo/pages/', import.meta.url));

/** Every `.html` page of the article fixtures, in name order (articles and the no-article ones). */
export function fixturePages(): FixturePage[] {
  return readdirSync(pagesDir)
    .filter((name) => name.endsWith('.html'))
    .sort()
    .map((name) => ({ name, url: `https://fixtures.example/${name}`, html: readFileSync(pagesDir + name, 'utf8') }));
}

/** Options that let {@link slowPage} through the extractor's element cap, so Readability scores every node. */
export const SLOW_PAGE_OPTIONS = { maxElemsToParse: 1_000_000 };

/**
 * About 1.2 MB of 10,000 short paragraphs, each in its own div: Readability's scoring is superlinear in the
 * number of candidates, and in-process this page takes about a minute, far past any budget a test sets.
 */
export function slowPage(): string {
  const paragraphs: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    paragraphs.push(`<div class="block-${i}"><p>Update ${i}: delegations from Tehran and Caracas met again, and officials, aides, and advisers compared notes.</p></div>`);
  }
  return `<!doctype html><html lang="en"><head><title>Live: every update</title></head><body><article>${paragraphs.join('')}</article></body></html>`;
}

/** About 1.8 MB of 230,000 tiny elements: under the extractor's size cap, but a DOM of a few hundred MB. */
export function memoryBombPage(): string {
  return `<!doctype html><html><body><article>${'<i>a</i>'.repeat(230_000)}</article></body></html>`;
}
