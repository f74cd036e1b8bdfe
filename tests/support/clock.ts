/**
 * Fake time for tests that wait on timers (@sinonjs/fake-timers): timers, `Date` and
 * `performance.now()` move only when the test ticks the clock.
 */
// @ts-types="@types/sinonjs__fake-timers"
import FakeTimers from "@sinonjs/fake-timers";

/** An installed fake clock; `uninstall()` restores the real one. */
export type FakeClock = FakeTimers.InstalledClock;

/** Installs a fake clock for the duration of `fn`, then restores real time. */
export async function withFakeClock(fn: (clock: FakeClock) => Promise<void>): Promise<void> {
  const clock = FakeTimers.install({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"],
  });
  try {
    await fn(clock);
  } finally {
    clock.uninstall();
  }
}
