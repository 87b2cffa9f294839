// Dev-only: screenshots of every screen over the harness build, light and dark, at 1280×800,
// and a check that the page's CSP reports no violation. Usage:
//   npx vite build -c test/renderer/harness/vite.config.ts
//   (cd /tmp/layerlab-harness && python3 -m http.server 4173 --bind 127.0.0.1) &
//   node test/renderer/harness/screenshots.mjs [outDir]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const out = process.argv[2] ?? '/tmp/layerlab-shots';
const base = process.env.HARNESS_URL ?? 'http://127.0.0.1:4173/';
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],  // launch() uses a fresh temporary profile
});
const problems = [];
async function open(scheme, speed = 1) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
  const page = await context.newPage();
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`[${scheme}] console ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`[${scheme}] pageerror: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
  });
  await page.goto(`${base}?speed=${speed}#/design`);
  await page.waitForSelector('[data-testid="summary-table"]');
  return { page, context };
}
const shot = (page, name) => page.screenshot({ path: join(out, `${name}.png`) });

for (const scheme of ['light', 'dark']) {
  const { page, context } = await open(scheme, 1);
  await page.waitForTimeout(300);
  await shot(page, `${scheme}-1-design`);
  if (scheme === 'light') {
    await page.fill('[data-testid="layer-1-units"]', '0');
    await page.keyboard.press('Tab');
    await shot(page, `${scheme}-2-design-invalid`);
    await page.fill('[data-testid="layer-1-units"]', '512');
    await page.click('[data-testid="preset-small-cnn"]');
    await shot(page, `${scheme}-3-design-cnn`);
    await page.click('[data-testid="preset-keras-mlp"]');
    await page.click('[data-testid="backend-badge"]');
    await shot(page, `${scheme}-4-backend-doctor`);
    await page.keyboard.press('Escape');
    await page.click('[data-testid="backend-badge"]');
    await page.click('[data-testid="measure-epoch"]');
    await page.waitForTimeout(200);
  }
  await page.click('[data-testid="go-train"]');
  await shot(page, `${scheme}-5-train-ready`);
  await page.click('[data-testid="start-run"]');
  await page.waitForTimeout(7000);
  await shot(page, `${scheme}-6-train-running`);
  if (scheme === 'light') {
    await page.click('[data-testid="pause-run"]');
    await page.waitForSelector('[data-testid="lr-input"]');
    await page.fill('[data-testid="lr-input"]', '0.005');
    await page.click('text=Set learning rate');
    await page.waitForTimeout(300);
    await shot(page, `${scheme}-7-train-paused`);
    await page.click('[data-testid="resume-run"]');
  }
  await page.waitForSelector('[data-testid="open-evaluation"]', { timeout: 60_000 });
  await page.waitForTimeout(300);
  await shot(page, `${scheme}-8-train-finished`);
  await page.click('[data-testid="open-evaluation"]');
  await page.waitForSelector('[data-testid="cm"]');
  await page.waitForTimeout(300);
  await shot(page, `${scheme}-9-evaluate`);
  await page.click('[data-testid="cm-4-9"]');
  await page.waitForTimeout(300);
  await shot(page, `${scheme}-10-evaluate-filtered`);
  // Keyboard: Tab through the header and check a visible focus ring.
  await page.keyboard.press('Alt+1');
  await page.focus('[data-testid="layer-2-units"]');
  await page.keyboard.press('Alt+ArrowUp');
  await page.waitForTimeout(100);
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
  if (focused !== 'layer-1-units') problems.push(`[${scheme}] focus after Alt+ArrowUp: ${focused}`);
  await shot(page, `${scheme}-11-design-keyboard-move`);
  await context.close();
}
await browser.close();
console.log(problems.length ? problems.join('\n') : 'no console errors, no CSP violations');
