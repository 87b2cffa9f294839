// End-to-end harness: a real `layerlab serve` on 127.0.0.1 with a fresh lab home, and Debian's
// Chromium driven by playwright-core. Screenshots go to test-artifacts/ for a human to look at.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = join(import.meta.dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Lab {
  url: string;
  base: string;
  token: string;
  home: string;
  browser: Browser;
  newPage(): Promise<Page>;
  /** Runs the CLI against the same lab home (e.g. to make runs quickly). */
  cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'bin/layerlab.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `prepare` fills the fresh lab home before the server opens it (e.g. a generated large lab). */
export async function startLab(options: { prepare?: (home: string) => void } = {}): Promise<Lab> {
  const home = mkdtempSync(join(tmpdir(), 'layerlab-e2e-'));
  options.prepare?.(home);
  const server = run(['serve', '--port', '0', '--home', home]);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`layerlab serve did not start: ${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.on('exit', (code) => reject(new Error(`layerlab serve exited (${code}): ${output}`)));
  });
  const parsed = new URL(url);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    url,
    base: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    home,
    browser,
    async newPage() {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on('pageerror', (error) => {
        throw error;
      });
      await page.goto(url);
      return page;
    },
    cli(args) {
      return new Promise((resolve) => {
        const child = run([...args, '--home', home]);
        let stdout = '';
        let stderr = '';
        child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    },
    async close() {
      await browser.close();
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

/** Draws a polyline on Draw's pad with the mouse; points are fractions of the pad (0–1). */
export async function drawStroke(page: Page, points: [number, number][]): Promise<void> {
  const box = await page.getByTestId('draw-pad').boundingBox();
  if (!box) throw new Error('no pad');
  const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  const [first, ...rest] = points;
  if (!first) return;
  await page.mouse.move(...at(first));
  await page.mouse.down();
  for (const p of rest) await page.mouse.move(...at(p), { steps: 8 });
  await page.mouse.up();
}
