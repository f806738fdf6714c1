// Progress of long commands (run, tune/gpbt/pbt, report). On a terminal: bars redrawn in place
// on stderr by cli-progress, each with its count, a detail (the latest metrics, the best
// trial), the time elapsed and an estimate of the time left; they are cleared when the
// command ends, so only its results remain. When stderr is not a terminal (CI logs, pipes,
// files), there are no bars and no control characters: the command's milestone lines (a run
// done, a trial done) carry the same counts and times as plain lines.

import { MultiBar, type Params, type SingleBar } from 'cli-progress';

/** "0:07", "4:05", "1:02:03": the clock form, compact and unambiguous in a line of numbers. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * Seconds left at a constant rate: elapsed / done x (total - done); null before the first
 * unit of work is done (no rate yet) and once nothing is left.
 */
export function etaSeconds(elapsedSeconds: number, done: number, total: number): number | null {
  if (done <= 0 || done >= total) return done >= total && total > 0 ? 0 : null;
  return (elapsedSeconds / done) * (total - done);
}

/** The times part of a line: "0:42 elapsed, ETA 1:10" ("ETA -" while unknown; none when not wanted). */
export function timesText(elapsedSeconds: number, eta: number | null | false): string {
  const elapsed = `${formatDuration(elapsedSeconds)} elapsed`;
  return eta === false ? elapsed : `${elapsed}, ETA ${eta === null ? '-' : formatDuration(eta)}`;
}

/** What a bar shows besides its count; the ETA, when given, replaces the bar's own estimate. */
export interface BarDetail {
  readonly detail?: string;
  readonly etaSeconds?: number | null;
}

interface Payload {
  readonly label: string;
  readonly unit: string;
  readonly startedAt: number;
  readonly detail: string;
  /** undefined: estimated from the bar's own rate. */
  readonly eta: number | null | undefined;
  /** False for work of few unequal steps, where a rate says nothing about the time left. */
  readonly showEta: boolean;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 200;

/** One bar's line: "run 2/3  [#####-----]  55/100 epochs  val_loss 0.1234  0:07 elapsed, ETA 0:05". */
export function barLine(options: {
  label: string;
  value: number;
  total: number;
  unit: string;
  detail: string;
  elapsedSeconds: number;
  eta: number | null | false;
}): string {
  const fraction = options.total > 0 ? Math.min(1, Math.max(0, options.value / options.total)) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const count = `${options.value}/${options.total} ${options.unit}`;
  return [options.label, bar, count, options.detail, timesText(options.elapsedSeconds, options.eta)].filter((part) => part !== '').join('  ');
}

export interface ProgressOptions {
  readonly stream?: NodeJS.WriteStream;
  /** No bars and no lines at all (--quiet). */
  readonly quiet?: boolean;
  /** Milliseconds clock (tests). */
  readonly now?: () => number;
}

/** A bar on a terminal; nothing elsewhere (the command's lines say the same). */
export interface ProgressBar {
  update(value: number, detail?: BarDetail): void;
  /** The elapsed seconds of this bar's work. */
  elapsedSeconds(): number;
  /** Takes the bar off the display (its work is done; a line says how it went). */
  remove(): void;
}

export class Progress {
  /** Bars are drawn (stderr is a terminal and the command is not quiet). */
  readonly interactive: boolean;
  private readonly stream: NodeJS.WriteStream;
  private readonly quiet: boolean;
  private readonly now: () => number;
  private multibar: MultiBar | null = null;
  private lastDraw = Number.NEGATIVE_INFINITY;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.quiet = options.quiet ?? false;
    this.now = options.now ?? (() => performance.now());
    this.interactive = !this.quiet && this.stream.isTTY === true;
  }

  private bars(): MultiBar {
    this.multibar ??= new MultiBar({
      stream: this.stream,
      hideCursor: true,
      clearOnComplete: true,
      stopOnComplete: false,
      linewrap: false,
      fps: 1000 / REDRAW_MS,
      format: (_options, params: Params, payload: Payload) => {
        const elapsed = (this.now() - payload.startedAt) / 1000;
        const eta = !payload.showEta ? false : payload.eta === undefined ? etaSeconds(elapsed, params.value, params.total) : payload.eta;
        return barLine({
          label: payload.label,
          value: params.value,
          total: params.total,
          unit: payload.unit,
          detail: payload.detail,
          elapsedSeconds: elapsed,
          eta,
        });
      },
    });
    return this.multibar;
  }

  /** A bar counting `total` units ("epochs", "trials", "steps"). */
  bar(label: string, total: number, unit: string, options: { showEta?: boolean } = {}): ProgressBar {
    const startedAt = this.now();
    const elapsedSeconds = (): number => (this.now() - startedAt) / 1000;
    if (!this.interactive) return { update: () => undefined, elapsedSeconds, remove: () => undefined };
    const payload: Payload = { label, unit, startedAt, detail: '', eta: undefined, showEta: options.showEta ?? true };
    const bar: SingleBar = this.bars().create(total, 0, payload);
    return {
      update: (value, detail = {}) => {
        bar.update(value, { ...payload, detail: detail.detail ?? '', eta: detail.etaSeconds });
        this.drawSoon();
      },
      elapsedSeconds,
      remove: () => this.multibar?.remove(bar),
    };
  }

  /**
   * cli-progress redraws a multi-bar display from a timer, which never fires while training
   * holds the event loop (a run trains synchronously); so updates redraw it themselves, at
   * most every REDRAW_MS.
   */
  private drawSoon(): void {
    const now = this.now();
    if (this.multibar === null || now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.multibar.update();
  }

  /** A line of its own: above the bars on a terminal, plain otherwise; nothing when quiet. */
  line(text: string): void {
    if (this.quiet) return;
    if (this.multibar !== null) {
      this.multibar.log(`${text}\n`);
      this.lastDraw = Number.NEGATIVE_INFINITY;
      this.drawSoon();
    } else this.stream.write(`${text}\n`);
  }

  /** Clears the bars; lines written after this stand on their own. */
  stop(): void {
    this.multibar?.stop();
    this.multibar = null;
  }
}
