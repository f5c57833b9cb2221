/**
 * A robots.txt parser following RFC 9309: groups chosen by product token, the longest matching rule wins (Allow on
 * a tie), `*` and `$` patterns, percent-encoding normalized on both sides, and the non-standard `Crawl-delay`.
 * Pure: text in, answers out.
 */

/** The parsed rules of one robots.txt. */
export interface Robots {
  /** True when `userAgent` (a full User-Agent or its product token) may fetch `path` (path and query, from `/`). */
  isAllowed(userAgent: string, path: string): boolean;
  /** The `Crawl-delay` of the group that applies to `userAgent`, in ms; undefined when none is given. */
  crawlDelayMs(userAgent: string): number | undefined;
}

/** RFC 9309 §2.5: crawlers must parse at least 500 KiB; the rest is ignored. */
export const ROBOTS_MAX_BYTES = 500 * 1024;

interface Rule {
  allow: boolean;
  pattern: string;
  /** Pattern length in octets after normalization: the RFC's measure of specificity. */
  length: number;
  anchored: boolean;
  /** The pattern split at `*`; consecutive wildcards collapse. */
  parts: string[];
}

interface Group {
  /** Lower-cased product tokens, or `*`. */
  agents: string[];
  rules: Rule[];
  crawlDelayMs: number | undefined;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;
const encoder = new TextEncoder();

/**
 * A path or pattern in one canonical form, so `/caf%C3%A9`, `/café` and `/caf%c3%a9` compare equal: non-ASCII and
 * control characters are percent-encoded as UTF-8, escapes of unreserved characters are decoded (RFC 9309 §2.2.2
 * matches `%62%61%7A` against `baz`), and other escapes get upper-case hex digits.
 */
export function normalizeRobotsPath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i += 1) {
    const ch = path[i] ?? '';
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(path.slice(i + 1, i + 3))) {
      const decoded = String.fromCharCode(Number.parseInt(path.slice(i + 1, i + 3), 16));
      out += UNRESERVED.test(decoded) ? decoded : `%${path.slice(i + 1, i + 3).toUpperCase()}`;
      i += 2;
      continue;
    }
    const code = ch.charCodeAt(0);
    if (code > 0x20 && code < 0x7f) {
      out += ch;
      continue;
    }
    // A surrogate pair is one code point; encode it whole.
    const point = path.codePointAt(i) ?? code;
    const char = String.fromCodePoint(point);
    i += char.length - 1;
    for (const byte of encoder.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The product token of a User-Agent or a `user-agent:` line: its leading run of letters, `-` and `_`, lower-cased. */
export function productToken(userAgent: string): string {
  const trimmed = userAgent.trim();
  if (trimmed.startsWith('*')) return '*';
  return (/^[A-Za-z_-]+/.exec(trimmed)?.[0] ?? '').toLowerCase();
}

function makeRule(allow: boolean, value: string): Rule | undefined {
  // An empty Disallow allows everything and an empty Allow says nothing: neither is a rule.
  if (value === '') return undefined;
  const anchored = value.endsWith('$');
  const pattern = normalizeRobotsPath(anchored ? value.slice(0, -1) : value);
  const parts = pattern.split(/\*+/);
  return { allow, pattern, length: pattern.length + (anchored ? 1 : 0), anchored, parts };
}

/** True when `rule` matches `path` from its start: a prefix match unless the pattern ends with `$`. */
function matches(rule: Rule, path: string): boolean {
  const { parts, anchored } = rule;
  const first = parts[0] ?? '';
  if (!path.startsWith(first)) return false;
  if (parts.length === 1) return !anchored || path.length === first.length;
  let position = first.length;
  const lastIndex = parts.length - 1;
  // Leftmost placement of each middle part leaves the most room for the rest, so no backtracking is needed.
  for (let i = 1; i < lastIndex; i += 1) {
    const part = parts[i] ?? '';
    const found = path.indexOf(part, position);
    if (found < 0) return false;
    position = found + part.length;
  }
  const last = parts[lastIndex] ?? '';
  if (anchored) return path.length - last.length >= position && path.endsWith(last);
  return path.indexOf(last, position) >= 0;
}

function parseCrawlDelay(value: string): number | undefined {
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(value)) return undefined;
  return Math.round(Number(value) * 1000);
}

/** The first ROBOTS_MAX_BYTES of `text`, without a last line cut in half (a cut rule could mean something else). */
function capped(text: string): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= ROBOTS_MAX_BYTES) return text;
  const head = new TextDecoder().decode(bytes.subarray(0, ROBOTS_MAX_BYTES));
  const lastBreak = Math.max(head.lastIndexOf('\n'), head.lastIndexOf('\r'));
  return lastBreak >= 0 ? head.slice(0, lastBreak) : '';
}

function parseGroups(text: string): Group[] {
  const groups: Group[] = [];
  let current: Group | undefined;
  // True while user-agent lines follow each other: they name the same group.
  let collectingAgents = false;
  for (const rawLine of capped(text).replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const line = rawLine.replace(/#.*$/, '').trim();
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'user-agent') {
      if (!collectingAgents || !current) {
        current = { agents: [], rules: [], crawlDelayMs: undefined };
        groups.push(current);
        collectingAgents = true;
      }
      const token = productToken(value);
      if (token !== '') current.agents.push(token);
      continue;
    }
    if (key !== 'allow' && key !== 'disallow' && key !== 'crawl-delay') continue;
    collectingAgents = false;
    // Rules before the first user-agent line belong to no group (RFC 9309 §2.1).
    if (!current) continue;
    if (key === 'crawl-delay') {
      current.crawlDelayMs ??= parseCrawlDelay(value);
      continue;
    }
    const rule = makeRule(key === 'allow', value);
    if (rule) current.rules.push(rule);
  }
  return groups;
}

/** Parses a robots.txt body. Anything unreadable is skipped, so the worst input yields "allow everything". */
export function parseRobots(text: string): Robots {
  const groups = parseGroups(text);
  const applicable = new Map<string, { rules: Rule[]; crawlDelayMs: number | undefined }>();

  // Every group naming the agent applies, merged (RFC 9309 §2.2.1); only when none does, the `*` groups do.
  function groupFor(userAgent: string): { rules: Rule[]; crawlDelayMs: number | undefined } {
    const token = productToken(userAgent);
    const known = applicable.get(token);
    if (known) return known;
    let chosen = groups.filter((group) => token !== '' && token !== '*' && group.agents.includes(token));
    if (chosen.length === 0) chosen = groups.filter((group) => group.agents.includes('*'));
    const delays = chosen.map((group) => group.crawlDelayMs).filter((delay): delay is number => delay !== undefined);
    const merged = { rules: chosen.flatMap((group) => group.rules), crawlDelayMs: delays.length > 0 ? Math.max(...delays) : undefined };
    applicable.set(token, merged);
    return merged;
  }

  return {
    isAllowed(userAgent: string, path: string): boolean {
      const target = normalizeRobotsPath(path === '' ? '/' : path);
      // RFC 9309 §2.2.2: the robots.txt itself is always allowed.
      if (target === '/robots.txt') return true;
      let best: Rule | undefined;
      for (const rule of groupFor(userAgent).rules) {
        if (best && (rule.length < best.length || (rule.length === best.length && !rule.allow))) continue;
        if (matches(rule, target)) best = rule;
      }
      return best?.allow ?? true;
    },
    crawlDelayMs(userAgent: string): number | undefined {
      return groupFor(userAgent).crawlDelayMs;
    },
  };
}
