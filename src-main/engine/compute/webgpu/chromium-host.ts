// A WebGPU device in a headless Chromium, for a Node process without an adapter of its own
// (Dawn for Node finds none on this machine; headless Chromium gives SwiftShader, or the GPU
// where its drivers allow): the system's Chromium, launched through playwright-core with WebGPU
// enabled, loads the device page (device-page-server.ts) and answers requests over its socket.

import { type Browser, chromium } from 'playwright-core';
import { type DevicePageServer, type RemoteDevice, startDevicePageServer } from './device-page-server.ts';

/** Flags for Chromium on a headless machine: WebGPU on, nothing fetched from the network. */
export const CHROMIUM_WEBGPU_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update'];

export async function startChromiumDevice(options: { executablePath: string; timeoutMs?: number }): Promise<RemoteDevice & { close(): Promise<void> }> {
  const server: DevicePageServer = await startDevicePageServer();
  let browser: Browser | null = null;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await server.close();
  };
  try {
    browser = await chromium.launch({ executablePath: options.executablePath, args: CHROMIUM_WEBGPU_ARGS });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url);
    const device = await server.device(options.timeoutMs ?? 60_000, () => pageErrors);
    return { ...device, close };
  } catch (error) {
    await close();
    throw error;
  }
}
