// Build of the three Electron bundles (electron-vite): the main process (src-main/app/main.ts),
// the preload bridge (CommonJS, as the sandbox requires) and the Vue renderer
// (src-renderer/). `evolab serve` serves the same renderer build (out/renderer) in web mode.

import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      // The job program is a second entry: utilityProcess.fork needs it as a built file
      // beside main.js (out/main/job-entry.js).
      rollupOptions: {
        input: {
          main: resolve(import.meta.dirname, 'src-main/app/main.ts'),
          'job-entry': resolve(import.meta.dirname, 'src-main/queue/job-entry.ts'),
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
      rollupOptions: { input: resolve(import.meta.dirname, 'src-renderer/index.html') },
    },
  },
});
