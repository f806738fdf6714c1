// A one-line progress display on a terminal ("run 3/25  epoch 12/100  val_loss 0.1234"),
// redrawn in place on stderr; silent when stderr is not a TTY (CI logs, pipes).

export class ProgressLine {
  private readonly enabled: boolean;
  private lastLength = 0;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY === true;
  }

  update(text: string): void {
    if (!this.enabled) return;
    process.stderr.write(`\r${text.padEnd(this.lastLength)}`);
    this.lastLength = text.length;
  }

  clear(): void {
    if (!this.enabled || this.lastLength === 0) return;
    process.stderr.write(`\r${' '.repeat(this.lastLength)}\r`);
    this.lastLength = 0;
  }
}
