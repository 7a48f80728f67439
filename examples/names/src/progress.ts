/** Progress of one model's training: a bar redrawn in place on a terminal, about ten plain lines otherwise. */
export class Progress {
  private lastDraw = 0;
  private readonly started = Date.now();
  private valLoss: number | null = null;
  private average = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {}

  /**
   * Reports a step's loss, with the latest validation loss when one was measured. The
   * loss shown is a moving average over about the last 50 steps, as one batch is noisy.
   */
  update(step: number, loss: number, valLoss: number | null): void {
    if (valLoss !== null) this.valLoss = valLoss;
    // An exponential moving average, divided by its total weight so early steps are not pulled toward 0.
    this.average = 0.98 * this.average + 0.02 * loss;
    const smoothed = this.average / (1 - 0.98 ** step);
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const val = this.valLoss === null ? "" : `  val ${this.valLoss.toFixed(4)}`;
    const text = `${this.label.padEnd(4)} step ${String(step).padStart(String(this.total).length)}/${this.total}  loss ${smoothed.toFixed(4)}${val}  ${seconds}s`;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && step !== this.total) return;
      this.lastDraw = now;
      const width = 20;
      const done = Math.round((step / this.total) * width);
      this.stream.write(`\r[${"#".repeat(done)}${".".repeat(width - done)}] ${text}\x1b[K`);
      if (step === this.total) this.stream.write("\n");
    } else if (step === this.total || step % Math.max(1, Math.floor(this.total / 10)) === 0) {
      this.stream.write(`${text}\n`);
    }
  }
}
