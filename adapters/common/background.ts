/**
 * Answering within a platform's deadline. Slack wants every request answered
 * within 3 seconds, Discord every interaction; the work behind an answer is
 * usually quick, but a slow store or a rate limit being waited out must not
 * turn into a timeout (and a redelivery, or an interaction that failed for
 * the person). So a handler waits for its work up to a budget: done in time,
 * it answers with the result; not done, it answers for now (a placeholder,
 * a deferral) and the work finishes in the background, where its result is
 * still delivered and its failure still reported.
 */

/** What `within` found: the result in time, or the result to come. */
export type Timed<T> = { inTime: true; value: T | undefined } | { inTime: false; later: Promise<T | undefined> };

export class Background {
  private readonly running = new Set<Promise<unknown>>();

  /** `onError` hears every failure of work handed to `within` (except those it refuses). */
  constructor(private readonly onError: (err: unknown) => void) {}

  /**
   * Waits for `work` at most `budgetMs`. A failure of `work` goes to onError
   * and its value is undefined — except a failure within the budget that
   * `refuse` picks, which rejects, so the request itself is refused and the
   * platform delivers it again. (Once answered, a request cannot be refused:
   * a later failure goes to onError.)
   */
  async within<T>(work: Promise<T>, budgetMs: number, refuse?: (err: unknown) => boolean): Promise<Timed<T>> {
    let refused: { err: unknown } | undefined;
    let answered = false;
    const tracked: Promise<T | undefined> = work.then(
      (value) => value,
      (err: unknown) => {
        if (!answered && refuse?.(err)) refused = { err };
        else this.onError(err);
        return undefined;
      },
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), budgetMs);
    });
    try {
      const first = await Promise.race([tracked.then((value) => ({ value })), late]);
      if (refused) throw refused.err;
      answered = true;
      return first === 'late' ? { inTime: false, later: tracked } : { inTime: true, value: first.value };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for the work still running in the background to finish (at most `timeoutMs`). */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]);
      clearTimeout(timer);
    }
  }
}
