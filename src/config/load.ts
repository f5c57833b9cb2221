import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument, type YAMLError } from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';

/** A configuration file that cannot be used; `issues` holds one `path: problem` line per problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Stable code for callers and logs, in the style of fastify's `FST_ERR_*`. */
  readonly code = 'DW_ERR_CONFIG';
  readonly issues: string[];
  constructor(headline: string, issues: string[], options?: { cause?: unknown }) {
    super([headline, ...issues].join('\n'), options);
    this.issues = issues;
  }
}

/** A validated configuration with the file it came from; `dir` anchors relative paths such as `detect.topic`. */
export interface LoadedConfig {
  config: Config;
  path: string;
  dir: string;
}

/** What `parseConfigText` needs besides the text: a file name for messages and the environment to interpolate. */
export interface ParseOptions {
  file: string;
  env: Record<string, string | undefined>;
}

type Env = ParseOptions['env'];
type Segment = string | number;

/** Where the config file is: the `--config` value, else `DIPLOWATCH_CONFIG`, else `config/diplowatch.yaml`. */
export function configPathFrom(argv?: string | readonly string[], env: Env = process.env): string {
  const fromArgs = typeof argv === 'string' ? argv : argv === undefined ? undefined : configFlag(argv);
  if (fromArgs) return fromArgs;
  const fromEnv = env.DIPLOWATCH_CONFIG;
  if (fromEnv) return fromEnv;
  return 'config/diplowatch.yaml';
}

function configFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--config') return argv[i + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

/** Reads, interpolates, validates and freezes the config file at `file`. Throws `ConfigError`. */
export async function loadConfig(file: string, env: Env = process.env): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    throw new ConfigError(`config: cannot read ${file}`, [`(file): ${(err as Error).message}`], { cause: err });
  }
  return { config: parseConfigText(text, { file, env }), path: absolute, dir: path.dirname(absolute) };
}

/** Resolves a path written in the config (such as `detect.topic`) against the config file's folder. */
export function resolveFromConfig(loaded: Pick<LoadedConfig, 'dir'>, relPath: string): string {
  return path.resolve(loaded.dir, relPath);
}

/**
 * Parses config text without touching the disk: YAML, then `${VAR}` / `${VAR:-default}` in string values,
 * then environment overrides for keys that name an env var, then the schema. The result is deep-frozen.
 */
export function parseConfigText(text: string, options: ParseOptions): Config {
  const headline = `config: ${options.file} is invalid`;
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { prettyErrors: true });
  if (doc.errors.length > 0) throw new ConfigError(headline, doc.errors.map(yamlIssue));

  const parsed: unknown = doc.toJS() ?? {};
  if (!isRecord(parsed)) throw new ConfigError(headline, [`(root): must be a mapping of keys to values, got ${kindOf(parsed)}`]);

  const interpolationIssues: string[] = [];
  const interpolated = interpolate(parsed, options.env, [], interpolationIssues);
  if (interpolationIssues.length > 0) throw new ConfigError(headline, interpolationIssues);

  const overridden = applyEnvOverrides(interpolated as Record<string, unknown>, options.env);
  const result = configSchema.safeParse(interpolated, { error: friendlyMessage });
  if (!result.success) throw new ConfigError(headline, result.error.issues.flatMap((issue) => formatIssue(issue, overridden)));
  return deepFreeze(result.data);
}

function yamlIssue(error: YAMLError): string {
  // yaml's pretty message repeats the position and adds a source excerpt; keep the first sentence only.
  const first = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  const at = error.linePos?.[0];
  return at ? `line ${at.line}, column ${at.col}: ${first}` : `(yaml): ${first}`;
}

// --- ${VAR} interpolation ---

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const NAME = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

function interpolate(value: unknown, env: Env, at: Segment[], issues: string[]): unknown {
  if (typeof value === 'string') return interpolateString(value, env, at, issues);
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, [...at, index], issues));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolate(item, env, [...at, key], issues);
    return out;
  }
  return value;
}

function interpolateString(text: string, env: Env, at: Segment[], issues: string[]): string {
  return text.replace(REFERENCE, (match: string, inner: string | undefined) => {
    if (match === '$${') return '${';
    const parsed = inner === undefined ? null : NAME.exec(inner);
    if (!parsed) {
      issues.push(`${formatPath(at)}: bad reference "${match}" (write \${VAR} or \${VAR:-default}; $\${ for a literal \${)`);
      return match;
    }
    const [, name = '', fallback] = parsed;
    const value = env[name];
    // Like the shell's ${VAR:-default}: an empty variable also takes the default.
    if (fallback !== undefined) return value === undefined || value === '' ? fallback : value;
    if (value === undefined) {
      issues.push(`${formatPath(at)}: environment variable ${name} is not set`);
      return match;
    }
    return value;
  });
}

// --- environment overrides declared in the schema with .meta({ env }) ---

/** The parts of a JSON Schema node the loader and the docs read. */
export interface JsonSchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  /** The environment variable that overrides this key, from the schema's `.meta({ env })`. */
  env?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
}

/** An option that an environment variable overrides, found through the schema's `.meta({ env })`. */
export interface EnvBinding {
  path: string[];
  env: string;
  type: string | undefined;
}

let jsonSchemaCache: JsonSchemaNode | undefined;

/** The config schema as JSON Schema (input side: defaults shown, refinements left out). */
export function configJsonSchema(): JsonSchemaNode {
  jsonSchemaCache ??= z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  return jsonSchemaCache;
}

/** Every key that an environment variable overrides, outside arrays. */
export function envBindings(node: JsonSchemaNode = configJsonSchema(), at: string[] = []): EnvBinding[] {
  const own: EnvBinding[] = node.env ? [{ path: at, env: node.env, type: node.type }] : [];
  const children = Object.entries(node.properties ?? {}).flatMap(([key, child]) => envBindings(child, [...at, key]));
  return [...own, ...children];
}

/** Writes env values into the raw config; returns the overridden paths (dotted) and their variables. */
function applyEnvOverrides(raw: Record<string, unknown>, env: Env): Map<string, string> {
  const applied = new Map<string, string>();
  for (const binding of envBindings()) {
    const value = env[binding.env];
    // An empty variable counts as unset: container runtimes often pass VAR= for "not configured".
    if (value === undefined || value === '') continue;
    let parent: Record<string, unknown> = raw;
    const parents = binding.path.slice(0, -1);
    let reachable = true;
    for (const key of parents) {
      const next = parent[key] ?? {};
      if (!isRecord(next)) {
        reachable = false;
        break;
      }
      parent[key] = next;
      parent = next;
    }
    const leaf = binding.path[binding.path.length - 1];
    if (!reachable || leaf === undefined) continue;
    parent[leaf] = coerce(value, binding.type);
    applied.set(binding.path.join('.'), binding.env);
  }
  return applied;
}

function coerce(value: string, type: string | undefined): unknown {
  if ((type === 'number' || type === 'integer') && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (type === 'boolean' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return value;
}

// --- issue formatting ---

/** Formats a key path the way users write it: `sources[3].schedule`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  if (segments.length === 0) return '(root)';
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function friendlyMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    return `must be ${article(issue.expected)}, got ${kindOf(issue.input)}`;
  }
  if (issue.code === 'invalid_value') {
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}; got ${JSON.stringify(issue.input)}`;
  }
  return undefined;
}

function formatIssue(issue: z.core.$ZodIssue, overridden: Map<string, string>): string[] {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path);
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key${suggestion(key, known)}`);
  }
  const dotted = issue.path.map(String).join('.');
  const fromEnv = overridden.get(dotted);
  const origin = fromEnv ? ` (value from environment variable ${fromEnv})` : '';
  return [`${formatPath(issue.path)}: ${issue.message}${origin}`];
}

function knownKeysAt(at: readonly PropertyKey[]): string[] {
  let node: JsonSchemaNode | undefined = configJsonSchema();
  for (const segment of at) node = typeof segment === 'number' ? node?.items : node?.properties?.[String(segment)];
  return Object.keys(node?.properties ?? {});
}

function suggestion(key: string, known: string[]): string {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  // Allow roughly one typo per three letters, at least two: "feeds"→"feed", "shedule"→"schedule".
  if (best && best.distance <= Math.max(2, Math.floor(key.length * 0.4))) return ` (did you mean "${best.key}"?)`;
  return known.length > 0 ? ` (known keys: ${known.join(', ')})` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

// --- small helpers ---

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function article(expected: string): string {
  if (expected === 'object') return 'a mapping';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
