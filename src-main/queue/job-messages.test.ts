// A job's request for a WebGPU window crosses from a separate program into the desktop app's
// main process, which then loads the URL: only the job's own local device page passes.
import { describe, expect, it } from 'vitest';
import { webGpuWindowMessageSchema } from './job-messages.ts';

describe('the webgpu-window message', () => {
  const page = 'http://127.0.0.1:41409/a01e0877e8c0dc1fde93cc55c9565bfe/webgpu-device.html';

  it('passes the local device page', () => {
    expect(webGpuWindowMessageSchema.parse({ type: 'webgpu-window', url: page }).url).toBe(page);
  });

  it.each([
    ['another host', 'http://evil.example:41409/a01e0877e8c0dc1fde93cc55c9565bfe/webgpu-device.html'],
    ['another page', 'http://127.0.0.1:41409/a01e0877e8c0dc1fde93cc55c9565bfe/index.html'],
    ['a file', 'file:///etc/passwd'],
    ['no token', 'http://127.0.0.1:41409/webgpu-device.html'],
    ['a suffix', `${page}?then=http://evil.example/`],
  ])('refuses %s, naming the field', (_, url) => {
    const result = webGpuWindowMessageSchema.safeParse({ type: 'webgpu-window', url });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual(['url: expected the local WebGPU device page']);
  });

  it('refuses extra fields', () => {
    expect(webGpuWindowMessageSchema.safeParse({ type: 'webgpu-window', url: page, show: true }).success).toBe(false);
  });
});
