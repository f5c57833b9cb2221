/**
 * The pool as it runs from `dist/`: plain `.js` files, the worker started from its `.js` sibling. A full
 * `tsc -p tsconfig.build.json` takes 20 s or more, so this test transpiles only the modules the pool and its
 * worker load at run time, with the same compiler, into a directory under node_modules/.cache (inside the repo,
 * so the built files resolve jsdom and Readability from node_modules as dist/ does).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import { extractArticle } from '../../src/parsers/article.js';
import type { ExtractPool, ExtractPoolOptions } from '../../src/workers/extract-pool.js';
import { fixturePages } from './pages.js';

const srcDir = fileURLToPath(new URL('../../src/', import.meta.url));
const cacheDir = fileURLToPath(new URL('../../node_modules/.cache/', import.meta.url));
// Value imports and re-exports of our own modules; `import type` lines load nothing at run time.
const RELATIVE_IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+'(\.{1,2}\/[^']+)\.js'/g;

/** Transpiles `entries` and every module they load at run time from src/ into `outDir`, as `.js`. */
function transpileClosure(entries: string[], outDir: string): void {
  const pending = entries.map((entry) => resolve(srcDir, entry));
  const done = new Set<string>();
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    const output = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const target = join(outDir, relative(srcDir, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output);
    for (const match of source.matchAll(RELATIVE_IMPORT)) {
      if (match[1] === undefined && match[2] !== undefined) pending.push(resolve(dirname(file), `${match[2]}.ts`));
    }
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

let outDir = '';
let pool: ExtractPool | undefined;

beforeAll(() => {
  mkdirSync(cacheDir, { recursive: true });
  outDir = mkdtempSync(join(cacheDir, 'diplowatch-workers-'));
  transpileClosure(['workers/extract-pool.ts', 'workers/extract-worker.ts'], outDir);
});

afterAll(async () => {
  await pool?.close();
  rmSync(outDir, { recursive: true, force: true });
});

describe('createExtractPool from compiled JavaScript', () => {
  it('starts its workers from the .js worker file and extracts as in process', async () => {
    expect(listFiles(outDir).filter((name) => name.endsWith('.ts'))).toEqual([]);
    expect(listFiles(outDir)).toContain(join('workers', 'extract-worker.js'));
    const built = (await import(pathToFileURL(join(outDir, 'workers/extract-pool.js')).href)) as {
      createExtractPool(options?: ExtractPoolOptions): ExtractPool;
    };
    pool = built.createExtractPool({ size: 1 });
    const pages = fixturePages().slice(0, 3);
    expect(pages.length).toBe(3);
    for (const page of pages) {
      let expected: unknown;
      try {
        expected = extractArticle(page.html, page.url, {});
      } catch (err) {
        expected = err;
      }
      const actual: unknown = await pool.extract(page.html, page.url, {}).catch((reason: unknown) => reason);
      if (expected instanceof Error) {
        // The built pool rebuilds errors with the built errors module, a different class object from the source's.
        expect((actual as Error).name).toBe(expected.name);
        expect((actual as Error).message).toBe(expected.message);
        expect(expected).toBeInstanceOf(PermanentError);
      } else {
        expect(actual).toEqual(expected);
      }
    }
  }, 60_000);
});
