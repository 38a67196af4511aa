/** "1 table", "2 tables", "0 tables": a count with its noun for summaries (English plural with -s). */
export function countOf(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}
