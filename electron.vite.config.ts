// Build of the three Electron bundles (electron-vite): the main process (src-main/app/main.ts),
// the preload bridge (CommonJS, as the sandbox requires) and the Vue renderer
// (src-renderer/). `evolab serve` serves the same renderer build (out/renderer) in web mode.

import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      // The job program and the worker threads are entries of their own: utilityProcess.fork
      // and new Worker() need them as built files beside main.js (out/main/job-entry.js,
      // population-worker.js, device-worker.js, result-reader-worker.js; files/worker-script.ts finds them).
      rollupOptions: {
        input: {
          main: resolve(import.meta.dirname, 'src-main/app/main.ts'),
          'job-entry': resolve(import.meta.dirname, 'src-main/queue/job-entry.ts'),
          'population-worker': resolve(import.meta.dirname, 'src-main/engine/compute/population-worker.ts'),
          'device-worker': resolve(import.meta.dirname, 'src-main/engine/compute/webgpu/device-worker.ts'),
          'result-reader-worker': resolve(import.meta.dirname, 'src-main/report/result-reader-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: resolve(import.meta.dirname, 'src-main/app/preload.ts'),
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src-renderer'),
    base: './',
    plugins: [vue()],
    build: {
      // electron-vite leaves bundles unminified; the renderer is also served over HTTP by
      // `evolab serve`, where 1.7 MB of entry script is a slow first load. The main-process
      // bundles stay readable (their stack traces are what users report).
      minify: 'oxc',
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src-renderer/index.html'),
          // A job's WebGPU device page, loaded in a hidden window (engine/compute/webgpu/).
          'webgpu-device': resolve(import.meta.dirname, 'src-renderer/webgpu-device.html'),
        },
      },
    },
  },
});
