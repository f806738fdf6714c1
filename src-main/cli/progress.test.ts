// The progress display: its numbers (durations, ETA), the bar line, bars drawn in place on a
// terminal and cleared at the end, plain lines elsewhere.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { barLine, etaSeconds, formatDuration, Progress, timesText } from './progress.ts';

/** A stream that says it is (or is not) a terminal, collecting what is written. */
function stream(tty: boolean): { out: NodeJS.WriteStream; text: () => string } {
  const sink = new PassThrough();
  const chunks: string[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  Object.assign(sink, { isTTY: tty, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, clearScreenDown: () => true });
  return { out: sink as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

describe('progress numbers', () => {
  it('writes durations as a clock', () => {
    expect([0, 7.4, 65, 599.6, 3723].map(formatDuration)).toEqual(['0:00', '0:07', '1:05', '10:00', '1:02:03']);
  });

  it('estimates the time left at a constant rate, and says when it cannot', () => {
    expect(etaSeconds(10, 25, 100)).toBe(30);
    expect(etaSeconds(10, 0, 100)).toBeNull();
    expect(etaSeconds(10, 100, 100)).toBe(0);
    expect(timesText(42, 70)).toBe('0:42 elapsed, ETA 1:10');
    expect(timesText(42, null)).toBe('0:42 elapsed, ETA -');
    expect(timesText(42, false)).toBe('0:42 elapsed');
  });

  it('draws a bar line with its count, detail and times', () => {
    const line = barLine({ label: 'run 2/3', value: 50, total: 100, unit: 'epochs', detail: 'val_loss 0.1234', elapsedSeconds: 7, eta: 7 });
    expect(line).toBe(`run 2/3  ${'█'.repeat(12)}${'░'.repeat(12)}  50/100 epochs  val_loss 0.1234  0:07 elapsed, ETA 0:07`);
  });
});

describe('Progress', () => {
  it('on a terminal: draws bars in place and clears them at the end; lines stay', () => {
    const { out, text } = stream(true);
    let now = 0;
    const progress = new Progress({ stream: out, now: () => now });
    expect(progress.interactive).toBe(true);
    const bar = progress.bar('run 1/1', 10, 'epochs');
    now = 2000;
    bar.update(4, { detail: 'val_loss 0.5' });
    progress.line('evolab: run 1/1 done');
    progress.stop();
    const written = text();
    expect(written).toContain('run 1/1  ██████████░░░░░░░░░░░░░░  4/10 epochs  val_loss 0.5  0:02 elapsed, ETA 0:03');
    expect(written).toContain('evolab: run 1/1 done\n');
  });

  it('elsewhere: no bars and no control characters, only the lines', () => {
    const { out, text } = stream(false);
    const progress = new Progress({ stream: out });
    expect(progress.interactive).toBe(false);
    const bar = progress.bar('run 1/1', 10, 'epochs');
    bar.update(4, { detail: 'val_loss 0.5' });
    progress.line('evolab: run 1/1 done');
    progress.stop();
    expect(text()).toBe('evolab: run 1/1 done\n');
  });

  it('quiet: nothing at all', () => {
    const { out, text } = stream(true);
    const progress = new Progress({ stream: out, quiet: true });
    progress.bar('x', 1, 'steps').update(1);
    progress.line('hidden');
    progress.stop();
    expect(text()).toBe('');
  });
});
