import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { currentConfigReference, renderConfigReference, replaceConfigReference, REFERENCE_END, REFERENCE_START } from '../../src/config/docs.js';

const readmePath = new URL('../../README.md', import.meta.url);

describe('renderConfigReference', () => {
  const table = renderConfigReference();
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));

  it('has one row per option, with list items written []', () => {
    const keys = rows.map((row) => /^\| `([^`]+)`/.exec(row)?.[1]);
    expect(keys).toContain('sources');
    expect(keys).toContain('sources[].articlePattern');
    expect(keys).toContain('alerts.webhooks[].secret');
    expect(keys).toContain('fetch.maxBodyBytes');
    expect(keys).toContain('shutdownGraceMs');
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('shows type, default, env var and description', () => {
    expect(rows).toContain('| `redis.url` | string |  | `REDIS_URL` | Redis URL. When set, diplowatch runs in redis mode; otherwise embedded. |');
    expect(rows).toContain('| `sources[].schedule` | string | `"*/10 * * * *"` |  | Cron expression, 5 or 6 fields (with seconds). |');
    expect(rows.find((row) => row.startsWith('| `sources[].id`'))).toContain('*required*');
    expect(rows.find((row) => row.startsWith('| `fetch.maxRedirects`'))).toContain('integer ≥ 0');
    expect(rows.find((row) => row.startsWith('| `log.level`'))).toContain('"fatal" \\| "error"');
    expect(rows.find((row) => row.startsWith('| `state.dir`'))).toContain('`DIPLOWATCH_STATE_DIR`');
  });

  it('keeps every row at five cells (pipes in values are escaped)', () => {
    for (const row of rows) expect(row.replaceAll('\\|', '').split('|').length, row).toBe(7);
  });
});

describe('README configuration reference', () => {
  it('is current with the schema', async () => {
    const readme = await readFile(readmePath, 'utf8');
    expect(readme).toContain(REFERENCE_START);
    expect(readme).toContain(REFERENCE_END);
    expect(
      currentConfigReference(readme),
      'README.md\'s configuration reference is stale: run `npx tsx src/config/docs.ts --write` (or `npm run docs:config -- --write`) and commit README.md',
    ).toBe(renderConfigReference());
  });

  it('replaces only the text between the markers', () => {
    const readme = `# title\n\nintro\n${REFERENCE_START}\nold table\n${REFERENCE_END}\n\n## after\n`;
    const updated = replaceConfigReference(readme, '| new |');
    expect(updated).toBe(`# title\n\nintro\n${REFERENCE_START}\n| new |\n${REFERENCE_END}\n\n## after\n`);
    expect(replaceConfigReference(updated, '| new |')).toBe(updated);
    expect(currentConfigReference(updated)).toBe('| new |');
    expect(() => replaceConfigReference('# no markers\n', 'x')).toThrow(/config-reference:start/);
  });
});
