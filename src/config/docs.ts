import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { configJsonSchema, type JsonSchemaNode as Node } from './load.js';

/**
 * The README's configuration reference, generated from the schema so the two cannot drift.
 * `tsx src/config/docs.ts` prints it; `tsx src/config/docs.ts --write` replaces it in README.md.
 */

/** Marks the generated section in README.md. */
export const REFERENCE_START = '<!-- config-reference:start -->';
/** Ends the generated section in README.md. */
export const REFERENCE_END = '<!-- config-reference:end -->';

interface Row {
  key: string;
  type: string;
  defaultValue: string;
  env: string;
  description: string;
}

/** A Markdown table of every option: key path (`[]` for list items), type, default, env var, description. */
export function renderConfigReference(): string {
  const rows = collectRows(configJsonSchema(), '', true);
  const lines = [
    'Do not edit this table by hand: it is generated from `src/config/schema.ts`; refresh it with `npx tsx src/config/docs.ts --write`.',
    'Strings may use `${VAR}` or `${VAR:-default}` to take a value from the environment (`$${` for a literal `${`).',
    'Options with an environment variable take its value when it is set and not empty.',
    '',
    '| key | type | default | env | description |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| \`${row.key}\` | ${cell(row.type)} | ${cell(row.defaultValue)} | ${row.env ? `\`${row.env}\`` : ''} | ${cell(row.description)} |`),
  ];
  return lines.join('\n');
}

/** Puts `table` between the README markers, replacing what was there. Throws when the markers are missing. */
export function replaceConfigReference(readme: string, table: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`docs: README has no ${REFERENCE_START} … ${REFERENCE_END} section`);
  return `${readme.slice(0, start + REFERENCE_START.length)}\n${table}\n${readme.slice(end)}`;
}

/** The text currently between the README markers, without the surrounding newlines. */
export function currentConfigReference(readme: string): string | undefined {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + REFERENCE_START.length, end).replace(/^\n/, '').replace(/\n$/, '');
}

function collectRows(node: Node, prefix: string, required: boolean): Row[] {
  if (node.type === 'object' && node.properties) {
    const requiredKeys = new Set(node.required ?? []);
    return Object.entries(node.properties).flatMap(([key, child]) => collectRows(child, prefix ? `${prefix}.${key}` : key, requiredKeys.has(key)));
  }
  const row: Row = {
    key: prefix,
    type: describeType(node),
    defaultValue: node.default !== undefined ? `\`${JSON.stringify(node.default)}\`` : required ? '*required*' : '',
    env: node.env ?? '',
    description: node.description ?? '',
  };
  // A list of objects gets its own row, then one row per field of an item, written `list[].field`.
  if (node.type === 'array' && node.items?.type === 'object') return [row, ...collectRows(node.items, `${prefix}[]`, false)];
  return [row];
}

function describeType(node: Node): string {
  if (node.enum) return node.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (node.type === 'array') {
    const item = node.items ? describeType(node.items) : 'value';
    const least = node.minItems ? `, at least ${node.minItems}` : '';
    const plural = node.items?.enum ? item : `${item}s`;
    return `list of ${plural}${least}`;
  }
  if (node.type === 'integer' || node.type === 'number') return `${node.type}${bounds(node)}`;
  return node.type ?? 'value';
}

function bounds(node: Node): string {
  // zod writes "no upper bound" for integers as MAX_SAFE_INTEGER; that is noise for a reader.
  const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
  if (node.minimum !== undefined && max !== undefined) return ` ${node.minimum}–${max}`;
  if (node.minimum !== undefined) return ` ≥ ${node.minimum}`;
  if (node.exclusiveMinimum !== undefined) return ` > ${node.exclusiveMinimum}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

async function main(argv: string[]): Promise<void> {
  const table = renderConfigReference();
  if (!argv.includes('--write')) {
    process.stdout.write(`${table}\n`);
    return;
  }
  const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));
  const readme = await readFile(readmePath, 'utf8');
  await writeFile(readmePath, replaceConfigReference(readme, table));
  process.stdout.write(`docs: wrote the configuration reference into ${readmePath}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
