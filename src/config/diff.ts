import type { Config, SourceConfig, WebhookConfig } from './schema.js';

/**
 * What changed between two configs, one human line each, for the log on reload:
 * `source added: teleSUR English`, `webhook changed: newsroom (url, secret)`, `setting changed: fetch.maxBodyBytes`.
 * Secret values are never printed, only the fact that a secret changed.
 */
export function diffConfig(before: Config, after: Config): string[] {
  return [
    ...diffById('source', before.sources, after.sources, (source) => source.name),
    ...diffById('webhook', before.alerts.webhooks, after.alerts.webhooks, (webhook) => webhook.id),
    ...diffSettings(before, after, []),
  ];
}

function diffById<T extends SourceConfig | WebhookConfig>(
  kind: string,
  before: readonly T[],
  after: readonly T[],
  label: (item: T) => string,
): string[] {
  const lines: string[] = [];
  const old = new Map(before.map((item) => [item.id, item]));
  const next = new Map(after.map((item) => [item.id, item]));
  for (const [id, item] of old) if (!next.has(id)) lines.push(`${kind} removed: ${label(item)}`);
  for (const [id, item] of next) {
    const previous = old.get(id);
    if (!previous) {
      lines.push(`${kind} added: ${label(item)}`);
      continue;
    }
    if (previous.enabled !== item.enabled) lines.push(`${kind} ${item.enabled ? 'enabled' : 'disabled'}: ${label(item)}`);
    const fields = changedKeys(previous, item).filter((key) => key !== 'enabled');
    if (fields.length > 0) lines.push(`${kind} changed: ${label(item)} (${fields.join(', ')})`);
  }
  return lines;
}

/** Keys whose values differ, in the order they appear in either object. */
function changedKeys(a: object, b: object): string[] {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].filter((key) => !sameValue(left[key], right[key]));
}

function diffSettings(before: unknown, after: unknown, at: string[]): string[] {
  // Sources and webhooks are reported item by item above.
  const key = at.join('.');
  if (key === 'sources' || key === 'alerts.webhooks') return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((child) => diffSettings(before[child], after[child], [...at, child]));
  }
  return sameValue(before, after) ? [] : [`setting changed: ${key}`];
}

/** Structural equality over the plain data a parsed config holds (no dates, maps or cycles). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]));
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
