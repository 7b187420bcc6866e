/**
 * Lines of a plain-text table: the first column left-aligned, the others right-aligned (counts),
 * two spaces between columns, each as wide as its widest cell.
 */
export function textTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) =>
        index === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[index] ?? 0),
      )
      .join('  ');
  return [line(header), ...rows.map(line)];
}
