/**
 * Renders rows as a left-aligned, space-padded table with a header, the way `kubectl get` prints.
 *
 * @example
 * ```ts
 * renderTable(['NAME', 'PHASE'], [['chair', 'Published']])
 * // 'NAME   PHASE\nchair  Published\n'
 * ```
 */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

/** Formats the age of a timestamp the way kubectl does: `45s`, `12m`, `3h`, `2d`. */
export function formatAge(from: string | undefined, now: Date): string {
  if (!from) return '<unknown>';
  const ms = now.getTime() - new Date(from).getTime();
  if (!Number.isFinite(ms)) return '<unknown>';
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}
