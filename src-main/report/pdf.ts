// HTML to PDF with headless Chromium through playwright-core (no browser download: it drives
// the system's Chromium). A4, backgrounds printed, the report's own page-break CSS honoured.
// When no Chromium is found the error says where we looked and how to get one.

import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { UserInputError } from '../../src-shared/config/errors.ts';

/** Where browsers install themselves, per platform (playwright-core downloads none). */
const CANDIDATES: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
    '/usr/bin/microsoft-edge',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  ],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
    'C:\\Program Files\\Microsoft\\Edge\\Application\\msedge.exe',
  ],
};

/** The Chromium to print with, or null and the places looked at (only $EVOLAB_CHROMIUM when it is set). */
export function locateChromium(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): { path: string | null; lookedAt: readonly string[] } {
  const fromEnv = env.EVOLAB_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return { path: existsSync(fromEnv) ? fromEnv : null, lookedAt: [`$EVOLAB_CHROMIUM (${fromEnv})`] };
  const candidates = CANDIDATES[platform] ?? [];
  return { path: candidates.find((path) => existsSync(path)) ?? null, lookedAt: candidates };
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  return locateChromium(env).path;
}

export async function htmlToPdf(html: string): Promise<Buffer> {
  const { path: executablePath, lookedAt } = locateChromium();
  if (executablePath === null) {
    throw new UserInputError(
      '--pdf',
      `no Chromium found (looked at ${lookedAt.join(', ') || 'nothing known on this platform'}); install Chromium or Chrome (Debian: apt-get install chromium), or set $EVOLAB_CHROMIUM to its executable, or write --html only`,
    );
  }
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
