/** Progress of training: a bar redrawn in place on a terminal, periodic plain lines otherwise. */
export class Progress {
  private lastLine = 0;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {}

  /** Reports an epoch; draws at most ~10 times a second on a terminal, ~20 lines in all otherwise. */
  update(epoch: number, loss: number, trainAccuracy: number, testAccuracy: number): void {
    const text = `epoch ${String(epoch).padStart(String(this.total).length)}/${this.total}  loss ${loss.toFixed(4)}  train ${(trainAccuracy * 100).toFixed(1)}%  test ${(testAccuracy * 100).toFixed(1)}%`;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (now - this.lastLine < 100 && epoch !== this.total) return;
      this.lastLine = now;
      const width = 24;
      const done = Math.round((epoch / this.total) * width);
      this.stream.write(`\r[${"#".repeat(done)}${".".repeat(width - done)}] ${text}  ${((now - this.started) / 1000).toFixed(1)}s\x1b[K`);
      if (epoch === this.total) this.stream.write("\n");
    } else if (epoch === 1 || epoch === this.total || epoch % Math.max(1, Math.floor(this.total / 20)) === 0) {
      this.stream.write(`${text}\n`);
    }
  }
}
