// Saves a file the service generated (base64 in the answer) through the browser's download,
// which in the desktop app opens the save dialog.

import type { GeneratedFile } from '../../src-shared/api.ts';

export function downloadGeneratedFile(file: GeneratedFile): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
