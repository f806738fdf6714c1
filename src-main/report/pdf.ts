// HTML to PDF with headless Chromium through playwright-core (no browser download: it drives
// the system's Chromium). A4, backgrounds printed, the report's own page-break CSS honoured.
// When no Chromium is found the error says where we looked and how to get one.

import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { UserInputError } from '../../src-shared/config/errors.ts';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env.EVOLAB_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

export async function htmlToPdf(html: string): Promise<Buffer> {
  const executablePath = findChromium();
  if (executablePath === null) {
    throw new UserInputError(
      '--pdf',
      `no Chromium found (looked at $EVOLAB_CHROMIUM and ${CANDIDATES.join(', ')}); install one (Debian: apt-get install chromium) or write --html only`,
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
