import { describe, expect, it } from 'vitest';
import { formatBytes, formatElapsed, ProgressReporter, renderProgressBar } from './progress.ts';
import { formatAge, renderTable } from './table.ts';

describe('progress text', () => {
  it.each([
    [0, 100, '[----------]   0%  0 B / 100 B'],
    [50, 100, '[#####-----]  50%  50 B / 100 B'],
    // more than the total is clamped (multipart retries can over-report)
    [150, 100, '[##########] 100%  100 B / 100 B'],
    // an empty file is complete at once
    [0, 0, '[##########] 100%  0 B / 0 B'],
  ])('renders %d of %d', (done, total, expected) => {
    expect(renderProgressBar(done, total, 10)).toBe(expected);
  });

  it('formats sizes and durations', () => {
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatElapsed(42_500)).toBe('42s');
    expect(formatElapsed(185_000)).toBe('3m05s');
  });

  it('writes one line per change when not on a terminal', () => {
    const written: string[] = [];
    const reporter = new ProgressReporter({ write: (t) => written.push(t), interactive: false }, 'Uploading');
    reporter.update('10%');
    reporter.update('10%');
    reporter.update('20%');
    reporter.done();
    expect(written).toEqual(['Uploading 10%\n', 'Uploading 20%\n']);
  });

  it('redraws in place on a terminal', () => {
    const written: string[] = [];
    const reporter = new ProgressReporter({ write: (t) => written.push(t), interactive: true }, 'Wait');
    reporter.update('a');
    reporter.done('b');
    expect(written).toEqual(['\r\x1b[2KWait a', '\r\x1b[2KWait b', '\n']);
  });
});

describe('tables', () => {
  it('pads columns to the widest cell', () => {
    expect(
      renderTable(
        ['NAME', 'PHASE'],
        [
          ['chair', 'Published'],
          ['lamp-large', 'AwaitingQA'],
        ],
      ),
    ).toBe('NAME        PHASE\nchair       Published\nlamp-large  AwaitingQA\n');
  });

  it.each([
    ['2026-01-01T00:00:30Z', '30s'],
    ['2025-12-31T23:31:00Z', '30m'],
    ['2025-12-31T14:00:00Z', '10h'],
    ['2025-12-20T00:00:00Z', '12d'],
    [undefined, '<unknown>'],
  ])('shows the age of %s', (from, expected) => {
    expect(formatAge(from, new Date('2026-01-01T00:01:00Z'))).toBe(expected);
  });
});
