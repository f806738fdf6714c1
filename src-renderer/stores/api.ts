// The one AppApi instance of the renderer (IPC bridge in the desktop app, HTTP in web mode).
import { createApi } from '../api/http-api.ts';

export const api = createApi();
