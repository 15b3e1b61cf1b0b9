/**
 * A mailbox per key: work for one alarm runs strictly one at a time, in arrival order, while
 * different alarms run concurrently. Across processes the store's seq compare-and-set does
 * the same job; the mailbox keeps a single process from contending with itself.
 */
export class Mailboxes {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after everything queued for `key`; resolves or rejects with its result. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Number of keys with queued or running work. */
  get size(): number {
    return this.tails.size;
  }

  /** Resolves when all work queued so far has finished. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
