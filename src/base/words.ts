/** Words for counts in what people read: `1 event`, `2 events`. */

/** `n` and `noun`, in the plural unless `n` is 1 (`plural(1, "event")` is `1 event`). */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}
