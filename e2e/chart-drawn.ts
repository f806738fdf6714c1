// Waiting for a canvas chart to have drawn, for the e2e tests. Apart from harness.ts because
// it hands a function to the browser (DOM types), and harness.ts is also loaded by bench/
// (type-checked without the DOM).
import type { Locator } from 'playwright-core';

/** Waits until the chart inside `container` has painted something on its canvas. */
export async function chartDrawn(container: Locator): Promise<void> {
  await container.locator('canvas').first().waitFor();
  await container.evaluate(
    (element) =>
      new Promise<void>((done) => {
        const check = (): void => {
          const canvas = element.querySelector('canvas');
          const context = canvas?.getContext('2d');
          if (canvas && context && canvas.width > 0) {
            const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4 * 97) {
              if (pixels[i] !== 0) return done();
            }
          }
          requestAnimationFrame(check);
        };
        check();
      }),
  );
}
