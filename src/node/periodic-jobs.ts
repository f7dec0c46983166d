import type { Logger } from '../http/logger.js';

/**
 * Runs a background job now and then every `intervalMs` in the Node server (Workers run the same
 * functions from a Cron Trigger instead). A tick is skipped while the previous run is still going, a
 * failure is logged and retried at the next tick, and the timer never keeps the process alive.
 * Every job given here is idempotent across instances, so each server may run all of them.
 *
 * @example
 *   const sweep = startPeriodicJob('account sweep', logger, 3_600_000, () => sweepAccounts(db, new Date(), { logger }));
 *   await sweep.stop(); // on shutdown: no new run, and the current one has finished
 */
export function startPeriodicJob(
  name: string,
  logger: Logger,
  intervalMs: number,
  job: () => Promise<unknown>,
): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = job()
      .then(() => undefined)
      .catch((error: unknown) => {
        logger.warn(`${name} failed`, { error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
