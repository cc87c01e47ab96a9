/**
 * Progress bars for uploads and long waits. The text is built by pure functions; a `ProgressReporter`
 * only decides where and how often to write it.
 */

/** Formats a byte count for people: `512 B`, `1.5 KB`, `3.2 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Renders a fixed-width bar such as `[########--------]  50%  1.0 MB / 2.0 MB`. `done` is clamped to
 * `[0, total]`; a total of 0 reads as complete.
 */
export function renderProgressBar(done: number, total: number, width = 24): string {
  const fraction = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  const filled = Math.round(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  return `[${bar}] ${percent}  ${formatBytes(Math.min(done, total))} / ${formatBytes(total)}`;
}

/** Formats elapsed milliseconds as `42s` or `3m05s`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** Where a reporter writes, and whether it may redraw the line in place. */
export interface ProgressSink {
  write: (text: string) => void;
  /** True on a terminal: the line is redrawn with `\r`; otherwise only changes are written, one per line. */
  interactive: boolean;
}

/** Draws one progress line: redrawn in place on a terminal, appended only when it changed elsewhere. */
export class ProgressReporter {
  private last = '';

  constructor(
    private readonly sink: ProgressSink,
    private readonly label: string,
  ) {}

  /** Shows `text` after the label. */
  update(text: string): void {
    const line = `${this.label} ${text}`;
    if (line === this.last) return;
    this.last = line;
    if (this.sink.interactive) this.sink.write(`\r\x1b[2K${line}`);
    else this.sink.write(`${line}\n`);
  }

  /** Ends the line, with a final `text` when given. */
  done(text?: string): void {
    if (text !== undefined) this.update(text);
    if (this.sink.interactive) this.sink.write('\n');
  }
}

/**
 * The sink for a command's progress: its stderr, redrawn in place only on a terminal outside CI, so logs
 * and captured output get one line per change instead of carriage returns.
 */
export function progressSink(io: { stderr: (text: string) => void; env: NodeJS.ProcessEnv }): ProgressSink {
  return { write: io.stderr, interactive: Boolean(process.stderr.isTTY) && !io.env.CI };
}
