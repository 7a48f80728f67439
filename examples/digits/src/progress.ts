/**
 * Progress of training, one bar per epoch: on a terminal the bar fills step by step and is
 * redrawn in place (at most ~10 times a second), then replaced by the epoch's summary line;
 * elsewhere (a pipe, a log file) only the summary lines are written.
 */
export class Progress {
  private lastDraw = 0;
  private epochStarted = Date.now();

  constructor(
    private readonly epochs: number,
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {}

  private label(epoch: number): string {
    return `epoch ${String(epoch).padStart(String(this.epochs).length)}/${this.epochs}`;
  }

  /** Reports a finished step of an epoch (steps count from 1). */
  step(epoch: number, step: number, stepsPerEpoch: number, loss: number): void {
    if (step === 1) this.epochStarted = Date.now();
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && step !== stepsPerEpoch) return;
    this.lastDraw = now;
    const width = 30;
    const done = Math.round((step / stepsPerEpoch) * width);
    const seconds = ((now - this.epochStarted) / 1000).toFixed(1);
    this.stream.write(`\r${this.label(epoch)} [${"#".repeat(done)}${".".repeat(width - done)}] ${step}/${stepsPerEpoch}  loss ${loss.toFixed(4)}  ${seconds}s\x1b[K`);
  }

  /** Reports a finished epoch: its mean training loss, accuracies and training seconds. */
  epoch(epoch: number, loss: number, trainAccuracy: number, testAccuracy: number, seconds: number): void {
    const text = `${this.label(epoch)}  loss ${loss.toFixed(4)}  train ${(trainAccuracy * 100).toFixed(1)}%  test ${(testAccuracy * 100).toFixed(1)}%  ${seconds.toFixed(1)}s`;
    this.stream.write(this.stream.isTTY ? `\r${text}\x1b[K\n` : `${text}\n`);
  }
}
