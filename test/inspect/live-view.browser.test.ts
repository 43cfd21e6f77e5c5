/**
 * The offline live view in a real browser: headless Debian Chromium, driven by playwright-core, watches the highlighted
 * state of a client connected to the simulator follow a fault and its recovery — authenticated → lingering-detected →
 * reconnect → authenticated — and saves screenshots as test artifacts (test-artifacts/live-view*.png).
 *
 * Without /usr/bin/chromium the test is skipped with a warning on a developer machine, and fails in CI (`CI` set),
 * where `.ci/run` installs Chromium from Debian and the browser test must run.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createIbkrWs, type IbkrWs } from '../../src/client.js';
import { startInspection, type Inspection } from '../../src/inspect/index.js';
import { startGatewaySimulator, type GatewaySimulator } from '../../src/simulator/index.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const hasChromium = existsSync(CHROMIUM);

/**
 * The browser globals the page functions below touch (this project compiles without the DOM library). They are
 * functions, not strings, because the live view's Content-Security-Policy forbids eval — and the test keeps it on.
 */
declare const document: {
  readonly body: { readonly dataset: Record<string, string | undefined> };
  querySelectorAll(selector: string): ArrayLike<{ readonly dataset: Record<string, string | undefined> }>;
};
const lifecycleIs = (state: string): boolean => document.body.dataset['lifecycle'] === state;
const timelineInPage = (): string[] =>
  Array.from(document.querySelectorAll('#timeline li'), (item) => item.dataset['lifecycle'] ?? '').reverse();
const inCi = Boolean(process.env['CI']);

if (!hasChromium && !inCi) {
  console.warn(
    `live-view browser test SKIPPED: ${CHROMIUM} is missing. Install it with 'apt-get install chromium' (CI installs it and fails without it).`,
  );
}

let simulator: GatewaySimulator | undefined;
let inspection: Inspection | undefined;
let client: IbkrWs | undefined;
let context: BrowserContext | undefined;
let profile: string | undefined;

afterAll(async () => {
  await context?.close();
  await client?.stop();
  await inspection?.close();
  await simulator?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** The lifecycle timeline of the page, oldest first. */
async function timeline(page: Page): Promise<string[]> {
  return page.evaluate(timelineInPage);
}

async function classOf(locator: ReturnType<Page['locator']>): Promise<string> {
  return (await locator.getAttribute('class')) ?? '';
}

function isSubsequence(actual: readonly string[], expected: readonly string[]): boolean {
  let at = 0;
  for (const state of actual) if (state === expected[at]) at++;
  return at === expected.length;
}

describe('the offline live view in headless Chromium', () => {
  it.runIf(!hasChromium && inCi)('has Chromium in CI', () => {
    throw new Error(`${CHROMIUM} is missing in CI: .ci/run must install the Debian chromium package`);
  });

  it.runIf(hasChromium)(
    'highlights the active state as it follows a lingering socket, its replacement and the recovery',
    async () => {
      simulator = await startGatewaySimulator({ port: 0, heartbeatIntervalMs: 200, greetingDelayMs: 20 });
      inspection = await startInspection({ knownSecrets: () => [simulator?.sessionValue ?? ''] });
      client = createIbkrWs({
        gateway: simulator.url,
        tls: { ca: simulator.ca },
        // The probe lasts long enough for the browser to be caught showing lingering-detected.
        timing: { heartbeatTimeoutMs: 800, probeTimeoutMs: 2_000, backoffInitialMs: 50, backoffMaxMs: 200 },
        random: () => 1,
        inspect: inspection.inspect,
      });
      await client.start();

      profile = mkdtempSync(join(tmpdir(), 'ibkr-ws-chromium-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1600, height: 1000 },
      });
      const page = await context.newPage();
      await page.goto(inspection.url);
      await page.waitForFunction(lifecycleIs, 'authenticated', { timeout: 10_000 });
      expect(await classOf(page.locator('[data-state-path="socket.ready.authenticated"]'))).toMatch(/\bactive\b/);
      expect(await classOf(page.locator('[data-state-path="socket.ready.authenticated.liveness.watching"]'))).toMatch(
        /\bactive\b/,
      );

      simulator.linger();
      await page.waitForFunction(lifecycleIs, 'lingering-detected', { timeout: 10_000 });
      expect(await classOf(page.locator('#chart [data-lifecycle="lingering-detected"]'))).toMatch(/\bcurrent\b/);
      expect(await classOf(page.locator('[data-state-path="socket.ready.authenticated"]'))).not.toMatch(/\bactive\b/);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'live-view-lingering.png') });

      await page.waitForFunction(
        () => {
          const states = Array.from(
            document.querySelectorAll('#timeline li'),
            (item) => item.dataset['lifecycle'] ?? '',
          ).reverse();
          const after = states.slice(states.indexOf('lingering-detected'));
          return after.includes('reconnect') && after[after.length - 1] === 'authenticated';
        },
        undefined,
        { timeout: 15_000 },
      );
      const seen = await timeline(page);
      expect(
        isSubsequence(seen, [
          'authenticated',
          'lingering-detected',
          'reconnect',
          'checking-session',
          'open',
          'awaiting-session',
          'authenticated',
        ]),
        seen.join(' → '),
      ).toBe(true);
      expect(await classOf(page.locator('[data-state-path="socket.ready.authenticated"]'))).toMatch(/\bactive\b/);
      expect(await page.locator('#log li').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTIFACTS, 'live-view.png'), fullPage: true });

      const html = await page.content();
      expect(html).not.toContain(simulator.sessionValue);
      expect(html).toContain('[redacted]');
    },
    45_000,
  );
});
