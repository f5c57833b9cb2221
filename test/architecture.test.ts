import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The import rules of ARCHITECTURE.md, checked on the source so a wrong arrow fails CI. */
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const CORE = ['parsers', 'detect', 'stories', 'alerts'];
const ADAPTERS = ['store', 'queue', 'http', 'jobs', 'server', 'workers', 'demo', 'sources'];
const IO_MODULES = ['node:fs', 'node:fs/promises', 'node:http', 'node:https', 'node:net', 'node:dns', 'node:child_process', 'undici', 'ioredis', 'bullmq', 'pino', 'node-cron'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms),
    ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ];
  return specs.map((match) => match[1] as string);
}

/** Folder under src/ that a file belongs to ('' for top-level files). */
function area(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? (rel.split('/')[0] as string) : '';
}

const all = files(SRC);

describe('architecture', () => {
  it('keeps the core folders free of adapters and I/O', () => {
    const wrong: string[] = [];
    for (const file of all.filter((f) => CORE.includes(area(f)))) {
      for (const spec of imports(file)) {
        if (spec.startsWith('.')) {
          const path = resolve(dirname(file), spec);
          const target = area(path);
          // Of the top-level modules only errors.ts (the error classes) is shared with the core.
          const topLevelOther = target === '' && relative(SRC, path) !== 'errors.js';
          if (ADAPTERS.includes(target) || topLevelOther) wrong.push(`${relative(SRC, file)} imports ${spec}`);
        } else if (IO_MODULES.includes(spec)) {
          wrong.push(`${relative(SRC, file)} imports ${spec}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('reads no clock in the core folders (time is passed in)', () => {
    const wrong: string[] = [];
    for (const file of all.filter((f) => CORE.includes(area(f)))) {
      const text = readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      if (/Date\.now\(\)|new Date\(\s*\)|performance\.now\(\)/.test(text)) wrong.push(relative(SRC, file));
    }
    expect(wrong).toEqual([]);
  });

  it('has no import cycles between source files', () => {
    const graph = new Map<string, string[]>();
    for (const file of all) {
      const deps = imports(file)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) => resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
      graph.set(file, deps.filter((dep) => graph.has(dep) || all.includes(dep)));
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string): void => {
      state.set(node, 'open');
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(SRC, f)).join(' -> '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const node of graph.keys()) if (!state.has(node)) visit(node);
    expect(cycles).toEqual([]);
  });

  it('uses no `any` type in the source', () => {
    const wrong = all.filter((file) => /(:\s*any\b|<any>|\bas any\b|any\[\])/.test(readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')));
    expect(wrong.map((f) => relative(SRC, f))).toEqual([]);
  });
});
