import {
  type EnqueuedTaskPromise,
  type Meilisearch,
  MeilisearchTaskTimeOutError,
  type Task,
  type WaitOptions,
} from 'meilisearch';

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

export interface TaskPolling {
  first: { windowMs: number; intervalMs: number };
  after: { windowMs: number; intervalMs: number };
}

/**
 * How a task is polled. Outbox tasks mostly end within ~100 ms and publish → searchable waits on them,
 * so the first second polls every 10 ms; a reindex can take a minute (Meilisearch batches its tasks
 * into one), so after that every 100 ms. Polls are spread over short waits because each poll leaves a
 * listener on its wait's abort signal until the wait returns (meilisearch 0.62): one wait through a
 * whole reindex piled up thousands, and Node warned of a leak.
 */
export const taskPolling: TaskPolling = {
  first: { windowMs: 1_000, intervalMs: 10 },
  after: { windowMs: 5_000, intervalMs: 100 },
};

export interface TaskWaitOptions {
  timeoutMs?: number;
  polling?: TaskPolling;
}

/** Runs `wait` in short windows until the task ends; throws MeilisearchTaskTimeOutError after timeoutMs. */
async function inWindows(
  wait: (options: WaitOptions) => Promise<Task>,
  { timeoutMs = 120_000, polling = taskPolling }: TaskWaitOptions,
): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  for (let step = polling.first; ; step = polling.after) {
    // waitTask reads a timeout of 0 as "no timeout", hence at least 1 ms.
    const timeout = Math.max(1, Math.min(step.windowMs, deadline - Date.now()));
    try {
      return await wait({ timeout, interval: step.intervalMs });
    } catch (error) {
      if (!(error instanceof MeilisearchTaskTimeOutError) || Date.now() >= deadline) throw error;
    }
  }
}

/**
 * Awaits a Meilisearch task to its end and throws unless it succeeded: an enqueued task is not a
 * done task, and a failed one is silent unless someone looks.
 */
export async function awaitTask(
  enqueued: EnqueuedTaskPromise,
  what: string,
  options: TaskWaitOptions = {},
): Promise<Task> {
  const task = await inWindows((wait) => enqueued.waitTask(wait), options);
  if (task.status !== 'succeeded') throw new SearchTaskFailed(what, task);
  return task;
}

/** Waits for each task to end, in order, and returns them whatever their status. */
export async function finishedTasks(
  client: Meilisearch,
  taskUids: number[],
  options: TaskWaitOptions = {},
): Promise<Task[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const finished: Task[] = [];
  for (const uid of taskUids)
    finished.push(
      await inWindows((wait) => client.tasks.waitForTask(uid, wait), {
        ...options,
        timeoutMs: Math.max(1, deadline - Date.now()),
      }),
    );
  return finished;
}
