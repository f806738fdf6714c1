// HTML to PDF with headless Chromium through playwright-core (no browser download: it drives
// the system's Chromium). A4, backgrounds printed, the report's own page-break CSS honoured.
// When no Chromium is found the error says where we looked and how to get one.

import { chromium } from 'playwright-core';
import { UserInputError } from '../../src-shared/config/errors.ts';
import { locateChromium } from '../files/chromium.ts';

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
