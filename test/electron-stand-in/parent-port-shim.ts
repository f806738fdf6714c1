// Electron's process.parentPort for a child started by the stand-in utilityProcess.fork
// (tests only): messages from the parent arrive as { data }, postMessage sends to it, as in
// an Electron utility process. Loaded with --import before the job program.

import { EventEmitter } from 'node:events';

const port = new EventEmitter() as EventEmitter & { postMessage(message: unknown): void };
port.postMessage = (message: unknown) => process.send?.(message as object);
process.on('message', (message) => port.emit('message', { data: message }));
Object.defineProperty(process, 'parentPort', { value: port });
