// Types the renderer's build provides: single-file components, and the preload bridge that
// Electron exposes as window.evolab (absent in web mode).
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

interface Window {
  /** The AppApi over IPC, when running inside the desktop app. */
  evolab?: import('../src-shared/api.ts').AppApi;
}

declare module '*.css';
