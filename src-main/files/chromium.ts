// Where the system's Chromium (or Chrome, Edge) is: $EVOLAB_CHROMIUM, else the usual install
// places per platform. playwright-core downloads no browser, so the PDF report and the
// headless-Chromium WebGPU host both drive the one found here.

import { existsSync } from 'node:fs';

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
