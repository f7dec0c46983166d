import pg from 'pg';
import type { Logger } from '../http/logger.js';

/**
 * Holds one connection that LISTENs for `search_outbox` notifications (sent on commit by a trigger)
 * and wakes the local outbox worker, so a change made through any instance is pushed at once. When
 * the connection drops it reconnects with backoff; meanwhile the worker's polling covers.
 */
export function listenForOutboxWrites(
  databaseUrl: string,
  onWrite: () => void,
  logger: Logger,
): { stop(): Promise<void> } {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let delay = 500;

  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({
      connectionString: databaseUrl,
      application_name: 'jiebang-outbox-listener',
    });
    next.on('notification', () => onWrite());
    next.on('error', () => scheduleReconnect());
    next.on('end', () => scheduleReconnect());
    try {
      await next.connect();
      await next.query('listen search_outbox');
      client = next;
      delay = 500;
    } catch (error) {
      logger.debug('outbox listener could not connect; polling covers', { error: (error as Error).message });
      await next.end().catch(() => {});
      scheduleReconnect();
    }
  };
  const scheduleReconnect = () => {
    client = undefined;
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, 30_000);
  };
  void connect();

  return {
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => {});
    },
  };
}
