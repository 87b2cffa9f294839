// The web bridge against a hostile client that may even hold the token: wrong Host (DNS
// rebinding), foreign Origins, redirects off the origin, malformed paths and bodies, and
// WebSocket frames ws refuses. `layerlab serve` itself runs as a child process, so a crash
// shows as a dead process, as it would for a user.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const BIN = join(import.meta.dirname, '../../bin/layerlab.js');
const home = mkdtempSync(join(tmpdir(), 'layerlab-hostile-web-'));
let serve: ChildProcess;
let port = 0;
let token = '';
let stderr = '';

beforeAll(async () => {
  serve = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
  serve.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    serve.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /Open: (\S+)/.exec(out);
      if (match) resolve(new URL(match[1]!));
    });
    serve.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
  });
  port = Number(url.port);
  token = url.searchParams.get('token')!;
});
afterAll(async () => {
  if (serve.exitCode === null) {
    const exited = new Promise((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    await exited;
  }
  rmSync(home, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request: the path and the Host header go out exactly as given. */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const auth = () => ({ Authorization: `Bearer ${token}` });
const alive = async () => (await raw('POST', '/api/listRuns', { ...auth(), 'Content-Type': 'application/json' }, '{}')).status === 200;

describe('Host header (DNS rebinding)', () => {
  it.each(['127.0.0.1', 'localhost', '[::1]'])('answers to %s', async (name) => {
    expect((await raw('POST', '/api/listRuns', { ...auth(), Host: `${name}:${port}` }, '{}')).status).toBe(200);
  });

  it.each(['evil.example', 'evil.example:8765', '127.0.0.1.evil.example', '127.0.0.1@evil.example'])('refuses Host "%s" even with the token', async (host) => {
    const reply = await raw('POST', '/api/listRuns', { ...auth(), Host: host }, '{}');
    expect(reply.status).toBe(403);
    expect(reply.body).not.toContain('[]');
  });

  it('refuses a WebSocket upgrade under a foreign Host', async () => {
    const status = await upgradeStatus({ ...auth(), Host: `rebound.example:${port}` });
    expect(status).toBe(403);
  });
});

describe('Origin', () => {
  it('does not take its own origin from the Host header', async () => {
    // Host and Origin agree, but neither is this server: the old check passed this.
    const reply = await raw('POST', '/api/listRuns', { ...auth(), Host: `127.0.0.1:${port}`, Origin: `http://127.0.0.1:${port + 1}` }, '{}');
    expect(reply.status).toBe(403);
    expect((await raw('POST', '/api/listRuns', { ...auth(), Origin: `http://localhost:${port}` }, '{}')).status).toBe(200);
    expect((await raw('POST', '/api/listRuns', { ...auth(), Origin: 'null' }, '{}')).status).toBe(403);
  });
});

describe('redirects', () => {
  it.each(['/.//evil.example/x', '//evil.example/x', '/\\evil.example/x', '/./\\/evil.example'])('keeps %s on this origin', async (path) => {
    const reply = await raw('GET', `${path}?token=${token}`, {});
    expect(reply.status).toBe(302);
    const location = String(reply.headers.location);
    expect(new URL(location, `http://127.0.0.1:${port}`).host).toBe(`127.0.0.1:${port}`);
    expect(location).toMatch(/^\/(?![/\\])/);
  });
});

describe('malformed requests', () => {
  it.each(['/api/%E0%A4%A', '/api/%', '/%E0%A4%A'])('answers 400 for the malformed path %s', async (path) => {
    const reply = await raw(path.startsWith('/api/') ? 'POST' : 'GET', path, auth(), '{}');
    expect(reply.status).toBe(400);
  });

  it('answers 400 for absurdly deep JSON, not 500', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const reply = await raw('POST', '/api/listRuns', auth(), deep);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatch(/nests deeper/);
  });

  it('answers 400 for a request line URL that does not parse', async () => {
    expect((await raw('GET', '//[', auth())).status).toBe(400);
  });

  it('never sends stack text', async () => {
    const replies = await Promise.all([
      raw('POST', '/api/startRun', auth(), '{"architecture":{"inputShape":[784],"layers":[]}}'),
      raw('POST', '/api/getRun', auth(), '{"runId":99}'),
      raw('POST', '/api/nope', auth(), '{}'),
      raw('POST', '/api/listRuns', auth(), '{"status":'),
      raw('POST', '/api/listRuns', auth(), `{"search":${'['.repeat(70)}${']'.repeat(70)}}`),
    ]);
    for (const reply of replies) {
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      expect(reply.body).not.toMatch(/\n\s+at |\.ts:\d+|node:internal/);
    }
  });
});

function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    ws.on('upgrade', (res) => {
      resolve(res.statusCode ?? 0);
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(0));
  });
}

/** Opens an authorised event socket, sends one raw frame, and waits for the server to close it. */
function sendAndAwaitClose(send: (ws: WebSocket) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: auth() });
    ws.on('open', () => send(ws));
    ws.on('close', (code) => resolve(code));
    ws.on('error', () => {});
    setTimeout(() => reject(new Error('the server never closed the socket')), 10_000).unref();
  });
}

describe('WebSocket frames a client holding the token sends', () => {
  it('survives a text frame over 64 KiB: that socket closes, the server keeps serving', async () => {
    const code = await sendAndAwaitClose((ws) => ws.send('x'.repeat(70 * 1024)));
    expect(code).toBe(1009);
    expect(serve.exitCode).toBeNull();
    expect(await alive()).toBe(true);
  });

  it('survives 3 bytes of invalid UTF-8', async () => {
    const code = await sendAndAwaitClose((ws) => {
      // A hand-built masked text frame: ws itself refuses to send invalid UTF-8.
      const payload = Buffer.from([0xff, 0xfe, 0xfd]);
      const mask = Buffer.from([1, 2, 3, 4]);
      const masked = payload.map((b, i) => b ^ mask[i % 4]!);
      (ws as unknown as { _socket: Socket })._socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    });
    expect(code).toBe(1007);
    expect(serve.exitCode).toBeNull();
    expect(await alive()).toBe(true);
    expect(stderr).toMatch(/closed an event socket/);
  });

  it('still delivers to the page after hostile sockets came and went', async () => {
    expect(await upgradeStatus(auth())).toBe(101);
  });
});
