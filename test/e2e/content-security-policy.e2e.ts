// The page's CSP in a real Chromium: the one policy from the contract is both the served
// header and the built page's meta tag; the app runs with no violation and opens its own event
// socket (connect-src 'self' covers same-origin ws: under CSP3), while a socket or fetch to any
// other host is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_CSP, PAGE_CSP } from '../../src-shared/content-security-policy.ts';
import { startLab, type Lab } from './harness.ts';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab?.close();
});

describe('content security policy', () => {
  it('is the contract policy in header and meta, with no violation, and admits only the own socket', async () => {
    const page = await lab.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const violations: string[] = [];
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { reportViolation(t: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    const response = await page.goto(lab.url);
    expect(response?.headers()['content-security-policy']).toBe(HEADER_CSP);
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(PAGE_CSP);
    await page.getByTestId('summary-table').waitFor({ timeout: 30_000 });

    // The app's own socket, as the web transport opens it.
    const own = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws`);
          ws.onopen = () => (ws.close(), resolve('open'));
          ws.onerror = () => resolve('error');
        }),
    );
    expect(own).toBe('open');
    expect(violations).toEqual([]);
    expect(consoleErrors.filter((t) => /Content Security Policy|Refused/i.test(t))).toEqual([]);

    // Anything else is refused by the policy itself (no request leaves the page).
    const foreign = await page.evaluate(() => {
      const tries: string[] = [];
      try {
        new WebSocket('ws://127.0.0.2:9/x');
        tries.push('ws constructed');
      } catch (e) {
        tries.push(`ws ${(e as Error).name}`);
      }
      return tries;
    });
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(violations.every((v) => v.startsWith('connect-src'))).toBe(true);
    expect(foreign).toHaveLength(1);
    await page.close();
  });
});
