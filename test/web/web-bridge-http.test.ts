// The bridge as an HTTP server: static files without traversal, content types and CSP, the
// page shown before the renderer is built, body limits, internal errors without internals.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, startWebBridge, type WebBridge } from '../../src-main/web/web-bridge.ts';
import { HEADER_CSP } from '../../src-shared/content-security-policy.ts';
import { FakeLabService } from './fake-lab-service.ts';

const root = mkdtempSync(join(tmpdir(), 'layerlab-web-'));
const staticDir = join(root, 'renderer');
const logs: string[] = [];
let bridge: WebBridge;
let base = '';

beforeAll(async () => {
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(staticDir, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(staticDir, 'favicon.svg'), '<svg/>');
  writeFileSync(join(root, 'secret.txt'), 'secret');
  bridge = await startWebBridge({ service: new FakeLabService(), port: 0, staticDir, log: (line) => logs.push(line) });
  base = `http://127.0.0.1:${bridge.port}`;
});
afterAll(async () => {
  await bridge.close();
  rmSync(root, { recursive: true, force: true });
});

const auth = () => ({ Authorization: `Bearer ${bridge.token}` });

/** A raw GET, so paths like /../x reach the server unnormalized. */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: bridge.port, path, headers: auth() }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files', () => {
  it.each([
    ['/', 'text/html; charset=utf-8'],
    ['/assets/app.js', 'text/javascript; charset=utf-8'],
    ['/assets/app.css', 'text/css; charset=utf-8'],
    ['/favicon.svg', 'image/svg+xml'],
  ])('serves %s as %s with a strict CSP', async (path, type) => {
    const res = await fetch(`${base}${path}`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    // The contract's policy; connect-src 'self' covers this server's own socket (CSP3).
    expect(res.headers.get('content-security-policy')).toBe(HEADER_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it.each(['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt'])('does not leave the folder for %s', async (path) => {
    const { status, body } = await rawGet(path);
    expect([403, 404]).toContain(status);
    expect(body).not.toContain('secret');
  });

  it('answers 404 for a missing file and a directory', async () => {
    expect((await fetch(`${base}/nope.js`, { headers: auth() })).status).toBe(404);
    expect((await fetch(`${base}/assets`, { headers: auth() })).status).toBe(404);
  });

  it('explains how to build the page when it is not built yet', async () => {
    const bare = await startWebBridge({ service: new FakeLabService(), port: 0, staticDir: join(root, 'missing') });
    try {
      const res = await fetch(`http://127.0.0.1:${bare.port}/`, { headers: { Authorization: `Bearer ${bare.token}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/not built yet.*npm run build:renderer/s);
    } finally {
      await bare.close();
    }
  });
});

describe('requests', () => {
  it('refuses a body over the limit with 413', async () => {
    const res = await fetch(`${base}/api/listRuns`, { method: 'POST', headers: auth(), body: 'x'.repeat(MAX_BODY_BYTES + 1) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/over/);
  });

  it('answers an unexpected service error with 500 and no stack trace', async () => {
    const res = await fetch(`${base}/api/estimateEpoch`, { method: 'POST', headers: auth(), body: JSON.stringify({ architecture: { inputShape: [784], layers: [{ type: 'dense', units: 10, activation: 'softmax' }] } }) });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ ok: false });
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
    expect(logs.join('\n')).toMatch(/estimateEpoch failed/);
  });

  it('binds a non-loopback host only with allowRemote, and warns', async () => {
    await expect(startWebBridge({ service: new FakeLabService(), host: '0.0.0.0', port: 0, log: () => {} })).rejects.toThrow(/allow-remote/);
    const warnings: string[] = [];
    const remote = await startWebBridge({ service: new FakeLabService(), host: '0.0.0.0', port: 0, allowRemote: true, log: (line) => warnings.push(line) });
    try {
      expect(warnings.join('\n')).toMatch(/WARNING: .*0\.0\.0\.0/);
      expect(remote.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/\?token=[0-9a-f]{64}$/);
    } finally {
      await remote.close();
    }
  });
});
