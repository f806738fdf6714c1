// Finds and compiles (once per process) a WebAssembly module that `npm run build:wasm` built into
// out/wasm from an AssemblyScript source, synchronously, so that an engine object can load its
// kernels in a constructor. Running from the sources the module is in out/wasm at the root of
// the repository; in the Electron build this file is bundled into out/main or out/main/chunks,
// beside out/wasm. The strategies load it, and they are also compiled into code that type-checks
// without Node (the HPO samplers the renderer's tests import): so node:fs is taken at run time
// through process.getBuiltinModule, with the two functions used typed here, and where there is
// no Node the module is simply not found.

/** The few members of the WebAssembly JS API used here (the project's lib has no types for it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: object };
  readonly Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const wasmApi = (globalThis as unknown as { readonly WebAssembly: WasmApi }).WebAssembly;

/** Bytes in a WebAssembly memory page. */
export const WASM_PAGE_BYTES = 65_536;

/** The part of node:fs used here (URL paths, which node:fs takes as they are). */
interface FileSystem {
  existsSync(path: URL): boolean;
  readFileSync(path: URL): Uint8Array;
}
const fileSystem = (globalThis as { readonly process?: { getBuiltinModule?(id: string): unknown } }).process?.getBuiltinModule?.('node:fs') as
  FileSystem | undefined;

const compiled = new Map<string, object>();

function candidates(file: string): URL[] {
  return [`../../out/wasm/${file}`, `../wasm/${file}`, `../../wasm/${file}`].map((path) => new URL(path, import.meta.url));
}

/** out/wasm/`file` compiled (once per process), or null with the reason. */
export function compileWasm(file: string): { module: object | null; note: string } {
  try {
    let module = compiled.get(file);
    if (module === undefined) {
      if (fileSystem === undefined) return { module: null, note: `out/wasm/${file} cannot be read here (no Node file system)` };
      const path = candidates(file).find((candidate) => fileSystem.existsSync(candidate));
      if (path === undefined) return { module: null, note: `out/wasm/${file} is not built (run npm run build:wasm)` };
      module = new wasmApi.Module(fileSystem.readFileSync(path));
      compiled.set(file, module);
    }
    return { module, note: '' };
  } catch (error) {
    return { module: null, note: `out/wasm/${file} does not load (${(error as Error).message.split('\n')[0]})` };
  }
}

/**
 * A new instance of out/wasm/`file` (compiled on first use) with the given imports, its exports
 * typed as T by the caller; null with the reason when the module is not built or does not load.
 */
export function instantiateWasm<T>(file: string, imports: object = {}): { exports: T | null; note: string } {
  const { module, note } = compileWasm(file);
  if (module === null) return { exports: null, note };
  try {
    return { exports: new wasmApi.Instance(module, imports).exports as T, note: '' };
  } catch (error) {
    return { exports: null, note: `out/wasm/${file} does not load (${(error as Error).message.split('\n')[0]})` };
  }
}

/** A shared WebAssembly memory of `initial` pages that may grow to `maximum` (threads share it). */
export function sharedWasmMemory(initial: number, maximum: number): WasmMemory {
  return new wasmApi.Memory({ initial, maximum, shared: true });
}
