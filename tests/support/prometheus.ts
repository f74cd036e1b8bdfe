/** Reading Prometheus text in tests. */

/** The value of one sample in Prometheus text, e.g. `sample(text, 'x_total{reason="a"}')`. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
