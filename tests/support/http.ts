/** HTTP probes for tests. */

/** The status `url` answers with, or undefined when nothing answers within a second. */
export async function httpStatus(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined; // not listening (yet, or any more)
  }
}
