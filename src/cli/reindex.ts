/**
 * `npm run search:reindex`: rebuilds every search index from PostgreSQL into a fresh index and swaps
 * it in (searches keep working throughout), with a progress bar.
 */
import cliProgress from 'cli-progress';
import { reindexAll } from '../search/reindex.js';
import { runCli } from './cli-runtime.js';

await runCli('search:reindex', async (runtime) => {
  const bar = new cliProgress.SingleBar(
    { format: '{entity} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const started_at = performance.now();
  const counts = await reindexAll(
    { db: runtime.db, admin: runtime.searchAdmin, indexes: runtime.indexes },
    {
      onProgress: (entity, done, total) => {
        if (!started) {
          bar.start(total, 0, { entity });
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, { entity });
      },
    },
  );
  if (started) bar.stop();
  const seconds = (performance.now() - started_at) / 1000;
  console.log(
    `reindexed ${Object.entries(counts)
      .map(([e, n]) => `${n} ${e}`)
      .join(', ')} in ${seconds.toFixed(1)} s and swapped in`,
  );
});
