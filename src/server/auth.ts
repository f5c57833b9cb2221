import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Paths served without the token: probes and scrapes come from infrastructure that holds no secret. */
export const OPEN_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The cookie set after a `?token=` login, so a browser can load bull-board's assets and API calls. */
export const SESSION_COOKIE = 'diplowatch_session';

/** The credentials a request carried. */
export interface Credentials {
  authorization?: string;
  queryToken?: string;
  cookie?: string;
}

/** Equal-length digests compared in constant time, so the comparison leaks neither the token nor its length. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The session cookie's value: derived from the token, so the cookie never holds the token itself. */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('diplowatch session').digest('base64url');
}

/** How a request proved it knows the token, or `undefined` when it did not. */
export function authenticate(credentials: Credentials, token: string): 'header' | 'query' | 'cookie' | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(credentials.authorization ?? '')?.[1]?.trim();
  if (bearer !== undefined && sameSecret(bearer, token)) return 'header';
  if (credentials.queryToken !== undefined && sameSecret(credentials.queryToken, token)) return 'query';
  const session = cookieValue(credentials.cookie, SESSION_COOKIE);
  if (session !== undefined && sameSecret(session, sessionValue(token))) return 'cookie';
  return undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
