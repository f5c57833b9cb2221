import { Document, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { ConfigError, parseConfigText, type ParseOptions } from './load.js';

/**
 * Appends `source` to the `sources` list of a config file's text and returns the new text, validated as a
 * whole with `parseConfigText` (so a duplicate id or a bad field throws `ConfigError` naming it).
 *
 * The yaml Document API finds where the list ends and renders the new item; the item is spliced into the
 * original text there, so every other byte of the file — comments, aligned trailing comments, quoting, blank
 * lines — stays as it was (also when `sources` is absent, blank or `[]`). Only a non-empty list written `[...]`
 * makes the file go through the Document's printer. `options.env` (default `process.env`) fills `${VAR}`
 * references while validating.
 */
export function appendSource(yamlText: string, source: Record<string, unknown>, options: Partial<ParseOptions> = {}): string {
  const parseOptions: ParseOptions = { file: options.file ?? '(config)', env: options.env ?? process.env };
  const headline = `config: cannot add a source to ${parseOptions.file}`;
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) throw new ConfigError(headline, doc.errors.map((error) => `(yaml): ${error.message.split('\n')[0] ?? ''}`));
  if (doc.contents !== null && !isMap(doc.contents)) throw new ConfigError(headline, ['(root): must be a mapping of keys to values']);

  const existing: unknown = doc.toJS();
  const sources = typeof existing === 'object' && existing !== null ? (existing as { sources?: unknown }).sources : undefined;
  if (Array.isArray(sources)) {
    const index = sources.findIndex((item: unknown) => typeof item === 'object' && item !== null && (item as { id?: unknown }).id === source.id);
    if (index !== -1) throw new ConfigError(headline, [`sources[${index}].id: a source with id "${String(source.id)}" already exists; choose another id`]);
  }

  const text = spliceSource(yamlText, doc, source);
  parseConfigText(text, parseOptions);
  return text;
}

function spliceSource(yamlText: string, doc: Document.Parsed, source: Record<string, unknown>): string {
  const list = doc.get('sources', true);
  if (isSeq(list) && !list.flow && list.items.length > 0 && list.range) {
    const dashAt = list.range[0];
    const column = dashAt - (yamlText.lastIndexOf('\n', dashAt - 1) + 1);
    // Follow the file's habit: a blank line between items when the existing items have one.
    const spaced = list.items.slice(1).some((item) => typeof item === 'object' && item !== null && 'spaceBefore' in item && item.spaceBefore === true);
    const insertAt = list.range[1];
    const before = yamlText.slice(0, insertAt);
    const lead = (before.endsWith('\n') ? '' : '\n') + (spaced ? '\n' : '');
    return `${before}${lead}${renderItem(source, column)}${yamlText.slice(insertAt)}`;
  }
  if (list === undefined) {
    const lead = yamlText === '' || yamlText.endsWith('\n') ? '' : '\n';
    return `${yamlText}${lead}${yamlText.trim() === '' ? '' : '\n'}sources:\n${renderItem(source, 2)}`;
  }
  const empty = (isSeq(list) && list.items.length === 0) || (isScalar(list) && list.value === null);
  if (empty && list.range) {
    // `sources:` or `sources: []`: the item goes on the lines after the key, and a comment on the key's line stays.
    const [start, end] = list.range;
    const newline = yamlText.indexOf('\n', end);
    const eol = newline === -1 ? yamlText.length : newline;
    const head = yamlText.slice(0, start).replace(/[ \t]+$/, '');
    // Only a comment can follow the value on its line; it needs a space before its `#`.
    const rest = yamlText.slice(end, eol);
    const comment = rest === '' || /^\s/.test(rest) ? rest : ` ${rest}`;
    return `${head}${comment}\n${renderItem(source, 2)}${yamlText.slice(eol + 1)}`;
  }
  // A non-empty list written `[...]`: rewrite it through the Document (other comments are kept, spacing may change).
  doc.set('sources', doc.createNode([...(isSeq(list) ? (list.toJSON() as unknown[]) : []), source]));
  const sourcesNode = doc.get('sources', true);
  if (isSeq(sourcesNode)) sourcesNode.flow = false;
  return doc.toString({ lineWidth: 0, singleQuote: true });
}

/** One list item in block style, indented so that its `-` sits at `column`, ending with a newline. */
function renderItem(source: Record<string, unknown>, column: number): string {
  const rendered = new Document([source]).toString({ lineWidth: 0, singleQuote: true });
  const pad = ' '.repeat(column);
  const lines = rendered.replace(/\n$/, '').split('\n');
  return `${lines.map((line) => (line === '' ? line : `${pad}${line}`)).join('\n')}\n`;
}
