// The web bridge: the contract over HTTP (commands) and WebSocket (events), bound to loopback
// and guarded by a token. It is how the renderer runs in a browser, how it is tested end to
// end, and how a lab on a remote GPU box is driven.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LabServiceLike } from '../lab/service/lab-service-types.ts';
import { authCookie, isLoopback, isSameOrigin, newToken, presentedToken, sameToken } from './auth.ts';
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
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, 'the request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  securityHeaders(res);
  // An unread body (413) must not be parsed as the next request on this connection.
  const close = status === 413 ? { Connection: 'close' } : {};
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...close }).end(JSON.stringify(body));
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

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      const known = error instanceof HttpError;
      if (!known) log(`layerlab serve: ${req.method} ${req.url?.split('?')[0]} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendJson(res, known ? error.status : 500, { ok: false, error: known ? error.message : 'internal error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && req.method === 'GET') {
      if (!sameToken(queryToken, token)) {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end(UNAUTHORIZED);
        return;
      }
      // Trade the URL token for a cookie and drop it from the address bar and history.
      url.searchParams.delete('token');
      res.writeHead(302, { 'Set-Cookie': authCookie(token), Location: `${url.pathname}${url.search}` }).end();
      return;
    }
    if (!sameToken(presentedToken(req), token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end(UNAUTHORIZED);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') throw new HttpError(405, 'commands are POST requests');
      if (!isSameOrigin(req)) throw new HttpError(403, 'requests from another origin are refused');
      const name = decodeURIComponent(url.pathname.slice('/api/'.length));
      const payload = await readBody(req);
      try {
        sendJson(res, 200, { ok: true, result: (await dispatchCommand(service, name, payload)) ?? null });
      } catch (error) {
        const { status, message } = describeError(error);
        if (status === 500) log(`layerlab serve: ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        sendJson(res, status, { ok: false, error: message });
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    serveStatic(options.staticDir, url.pathname, res);
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path !== '/ws') return refuse(404, 'Not Found');
    if (!sameToken(presentedToken(req), token)) return refuse(401, 'Unauthorized');
    if (!isSameOrigin(req)) return refuse(403, 'Forbidden');
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });

  const alive = new WeakMap<WebSocket, boolean>();
  sockets.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    // Events only flow to the page; anything it sends is ignored.
    ws.on('message', () => {});
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
  const port = (server.address() as AddressInfo).port;
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
