// The web bridge: the contract over HTTP (commands) and WebSocket (events), bound to loopback
// and guarded by a token. It is how the renderer runs in a browser, how it is tested end to
// end, and how a lab on a remote GPU box is driven.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LabServiceLike } from '../lab/service/lab-service-types.ts';
import { allowedHostNames, authCookie, isAllowedHost, isAllowedOrigin, isLoopback, newToken, presentedToken, sameToken } from './auth.ts';
import { describeError, dispatchCommand } from '../lab/service/dispatch.ts';
import { securityHeaders, serveStatic } from './static-files.ts';

export interface WebBridgeOptions {
  service: LabServiceLike;
  host?: string;
  port?: number;
  token?: string;
  staticDir?: string;
  /** Required to bind anything but loopback: the lab would be reachable from the network. */
  allowRemote?: boolean;
  /** Warnings and internal errors (default: stderr). */
  log?: (line: string) => void;
}

export interface WebBridge {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** No command payload nests this deep; deeper JSON would only exhaust the validator's stack. */
export const MAX_JSON_DEPTH = 64;
/** Event frames flow to the page only; what it sends is ignored and kept small. */
export const MAX_SOCKET_FRAME_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(new HttpError(413, `the request body is over ${MAX_BODY_BYTES} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop buffering; the 413 goes out with Connection: close and the rest is never read.
        req.off('data', onData);
        reject(new HttpError(413, `the request body is over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      if (jsonDepth(text) > MAX_JSON_DEPTH) return reject(new HttpError(400, `the request body nests deeper than ${MAX_JSON_DEPTH} levels`));
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, 'the request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** The deepest nesting of objects and arrays in a JSON text (strings skipped), without parsing it. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  securityHeaders(res);
  // An unread body (413) must not be parsed as the next request on this connection.
  const close = status === 413 ? { Connection: 'close' } : {};
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...close }).end(JSON.stringify(body));
}

const FOREIGN_HOST = 'Layerlab answers only to the host names it serves (127.0.0.1, localhost, [::1] or its --host).\n';

/** The request's URL; a 400 for one that does not parse ("//["). */
function parseRequestUrl(raw: string | undefined): URL {
  const url = URL.parse(raw ?? '/', 'http://localhost');
  if (!url) throw new HttpError(400, 'the request URL does not parse');
  return url;
}

/** A path segment decoded, or a 400 for malformed percent-encoding ("%E0%A4%A"). */
function decodePath(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'the path has malformed percent-encoding');
  }
}

/** An internal failure for the log (stack included); responses only ever say "internal error". */
function describeInternal(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

const UNAUTHORIZED = 'Layerlab needs its access token: open the URL that `layerlab serve` printed.\n';

export async function startWebBridge(options: WebBridgeOptions): Promise<WebBridge> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.allowRemote) {
    throw new Error(`refusing to listen on ${host}: that exposes the lab to the network; pass --allow-remote if you mean it`);
  }
  const token = options.token ?? newToken();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { service } = options;
  const allowedHosts = allowedHostNames(host);
  let port = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      const known = error instanceof HttpError;
      if (!known) log(`layerlab serve: ${req.method} ${req.url?.split('?')[0]} failed: ${describeInternal(error)}`);
      if (!res.headersSent) sendJson(res, known ? error.status : 500, { ok: false, error: known ? error.message : 'internal error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isAllowedHost(req, allowedHosts)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end(FOREIGN_HOST);
      return;
    }
    const url = parseRequestUrl(req.url);
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && req.method === 'GET') {
      if (!sameToken(queryToken, token)) {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end(UNAUTHORIZED);
        return;
      }
      // Trade the URL token for a cookie and drop it from the address bar and history.
      url.searchParams.delete('token');
      // One leading slash only: "//evil.example/x" would be a redirect to another site.
      res.writeHead(302, { 'Set-Cookie': authCookie(token), Location: `/${url.pathname.replace(/^[/\\]+/, '')}${url.search}` }).end();
      return;
    }
    if (!sameToken(presentedToken(req), token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end(UNAUTHORIZED);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') throw new HttpError(405, 'commands are POST requests');
      if (!isAllowedOrigin(req, allowedHosts, port)) throw new HttpError(403, 'requests from another origin are refused');
      const name = decodePath(url.pathname.slice('/api/'.length));
      const payload = await readBody(req);
      try {
        sendJson(res, 200, { ok: true, result: (await dispatchCommand(service, name, payload)) ?? null });
      } catch (error) {
        const { status, message } = describeError(error);
        if (status === 500) log(`layerlab serve: ${name} failed: ${describeInternal(error)}`);
        sendJson(res, status, { ok: false, error: message });
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    serveStatic(options.staticDir, url.pathname, res);
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_SOCKET_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    // A client that resets mid-handshake must not take the server down.
    socket.on('error', () => socket.destroy());
    const path = URL.parse(req.url ?? '/', 'http://localhost')?.pathname;
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!isAllowedHost(req, allowedHosts)) return refuse(403, 'Forbidden');
    if (path !== '/ws') return refuse(404, 'Not Found');
    if (!sameToken(presentedToken(req), token)) return refuse(401, 'Unauthorized');
    if (!isAllowedOrigin(req, allowedHosts, port)) return refuse(403, 'Forbidden');
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });

  const alive = new WeakMap<WebSocket, boolean>();
  sockets.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    // Events only flow to the page; anything it sends is ignored.
    ws.on('message', () => {});
    // A frame ws refuses (over the size limit, invalid UTF-8…) is an 'error' on this socket;
    // unheard, it would crash the whole server and interrupt every run. ws closes the socket.
    ws.on('error', (error) => log(`layerlab serve: closed an event socket: ${error.message}`));
  });
  const heartbeat = setInterval(() => {
    for (const ws of sockets.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, 15_000);
  heartbeat.unref();

  const unsubscribe = service.onRunEvent((payload) => {
    const message = JSON.stringify({ event: 'onRunEvent', payload });
    for (const ws of sockets.clients) if (ws.readyState === ws.OPEN) ws.send(message);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  if (!isLoopback(host)) log(`WARNING: Layerlab is listening on ${host}:${port}; anyone who can reach it and has the token controls this lab.`);
  const shownHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
