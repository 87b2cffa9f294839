// Jupyter-style access: a random token in the first URL, then an HttpOnly cookie (or a
// Bearer header for scripts). Compared in constant time.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE_NAME = 'layerlab_token';

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

export function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(header: string | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE_NAME) return v.join('=');
  }
  return null;
}

/** The token a request presents, by cookie or Authorization header. */
export function presentedToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return cookieToken(req.headers.cookie);
}

export function authCookie(token: string): string {
  return `${COOKIE_NAME}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/**
 * The host names this server answers to: loopback and the --host it was started with. Checking
 * the Host header against them, as Jupyter does, defeats DNS rebinding (a foreign name that
 * resolves to 127.0.0.1 reaches the socket but not the lab).
 */
export function allowedHostNames(bindHost: string): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  names.add(bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost.toLowerCase());
  return names;
}

/** The host name of a Host header ("name:port", "[v6]:port"), lowercased; null when malformed. */
function hostNameOf(header: string): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(header);
  return match?.[1]?.toLowerCase() ?? null;
}

/** The Host header names one of the allowed hosts (a request without one is refused). */
export function isAllowedHost(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const name = req.headers.host === undefined ? null : hostNameOf(req.headers.host);
  return name !== null && allowed.has(name);
}

/**
 * A browser's Origin must be this server itself (no other site may drive the lab): http, an
 * allowed host name and the port the server listens on. The Host header is never trusted to
 * say which origin is ours. Requests without an Origin (scripts, curl) still need the token.
 */
export function isAllowedOrigin(req: IncomingMessage, allowed: ReadonlySet<string>, port: number): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && allowed.has(url.hostname) && Number(url.port || 80) === port;
  } catch {
    return false;
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
