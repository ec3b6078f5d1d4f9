/**
 * Progress reporting on stderr (Node only). On a terminal: one line redrawn in place, at most
 * ~10 times a second. Otherwise (CI, logs): a plain line at most every `intervalMs` and at the
 * end, so logs stay readable. `--quiet` turns it off; stdout is never touched (it may carry --json).
 */
export interface ProgressOptions {
  readonly quiet?: boolean;
  /** Defaults to process.stderr.isTTY. */
  readonly tty?: boolean;
  /** Plain-mode interval (default 10 s). */
  readonly intervalMs?: number;
  readonly stream?: { write(s: string): unknown; columns?: number };
}

export class Progress {
  private last = 0;
  private drawn = false;
  private lastKey = '';
  private readonly tty: boolean;
  private readonly stream: { write(s: string): unknown; columns?: number };
  private readonly t0 = Date.now();

  constructor(private readonly label: string, private readonly opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = opts.tty ?? process.stderr.isTTY === true;
  }

  /** Report `done` of `total` with a status text; cheap to call often. */
  update(done: number, total: number, status = '', force = false): void {
    if (this.opts.quiet) return;
    const now = Date.now();
    const gap = this.tty ? 100 : (this.opts.intervalMs ?? 10_000);
    if (!force && now - this.last < gap && done < total) return;
    // The same state twice in a row (e.g. a last update and a forced final one) prints once.
    const key = `${done}/${total} ${status}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.last = now;
    const elapsed = `${((now - this.t0) / 1000).toFixed(0)} s`;
    if (this.tty) {
      const width = 24, frac = total > 0 ? Math.min(1, done / total) : 0;
      const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
      const line = `${this.label} ${bar} ${done}/${total} ${status} ${elapsed}`;
      const cols = this.stream.columns ?? 120;
      this.stream.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
      this.drawn = true;
    } else {
      this.stream.write(`${this.label}: ${done}/${total}${status ? ` ${status}` : ''} (${elapsed})\n`);
    }
  }

  /** A message that must not be overwritten by the bar (e.g. a failed trial). */
  log(message: string): void {
    if (this.opts.quiet) return;
    if (this.tty && this.drawn) this.stream.write('\r\x1b[2K');
    this.stream.write(message + '\n');
    this.last = 0;
  }

  done(): void {
    if (this.opts.quiet) return;
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
