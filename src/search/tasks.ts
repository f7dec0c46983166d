import type { EnqueuedTaskPromise, Task } from 'meilisearch';

export class SearchTaskFailed extends Error {
  constructor(
    readonly what: string,
    readonly task: Task,
  ) {
    super(
      `Meilisearch task for ${what} ended ${task.status}: ${task.error?.code ?? ''} ${task.error?.message ?? ''}`,
    );
    this.name = 'SearchTaskFailed';
  }
}

/**
 * Awaits a Meilisearch task to its end and throws unless it succeeded: an enqueued task is not a
 * done task, and a failed one is silent unless someone looks.
 */
export async function awaitTask(
  enqueued: EnqueuedTaskPromise,
  what: string,
  timeoutMs = 120_000,
): Promise<Task> {
  const task = await enqueued.waitTask({ timeout: timeoutMs, interval: 10 });
  if (task.status !== 'succeeded') throw new SearchTaskFailed(what, task);
  return task;
}
