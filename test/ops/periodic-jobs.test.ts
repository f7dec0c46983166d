import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/http/logger.js';
import { startPeriodicJob } from '../../src/node/periodic-jobs.js';

/** The Node server's background jobs (deadline sweep, alerts, hourly sweeps) all run through this. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recordingLogger() {
  const warnings: Array<{ message: string; fields: unknown }> = [];
  const logger = {
    debug: () => {},
    info: () => {},
    warn: (message: string, fields?: unknown) => warnings.push({ message, fields }),
    error: () => {},
  } as unknown as Logger;
  return { logger, warnings };
}

describe('startPeriodicJob', () => {
  it('runs at once, then every interval; a failure is logged by name and the next tick runs again', async () => {
    const { logger, warnings } = recordingLogger();
    let runs = 0;
    const job = startPeriodicJob('station sweep', logger, 20, async () => {
      runs++;
      if (runs === 1) throw new Error('database away');
    });
    expect(runs).toBe(1);
    // Waits for the ticks rather than sleeping a fixed 90 ms: on a loaded machine the process can be
    // descheduled for longer than that, and setInterval then fires once for all the ticks it missed.
    await vi.waitFor(() => expect(runs).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 10 });
    await job.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(warnings[0]).toEqual({ message: 'station sweep failed', fields: { error: 'database away' } });
    expect(warnings).toHaveLength(1);
  });

  it('never overlaps a slow run, and stop waits for the run in progress and starts no other', async () => {
    const { logger } = recordingLogger();
    let active = 0;
    let most = 0;
    let finished = 0;
    const job = startPeriodicJob('deadline sweep', logger, 5, async () => {
      active++;
      most = Math.max(most, active);
      await sleep(40);
      active--;
      finished++;
    });
    await sleep(60);
    await job.stop();
    expect(most).toBe(1);
    expect(active).toBe(0);
    const afterStop = finished;
    await sleep(30);
    expect(finished).toBe(afterStop);
  });
});
