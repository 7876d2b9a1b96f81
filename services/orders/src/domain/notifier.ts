// Wakes the event streams of an order when its status changes: in this process, or (told by main) in another replica.

/** One stream's watch over an order: a change that comes while the stream is busy is kept for its next wait. */
export type OrderWatch = {
  /** Resolves true at the next change (at once if one came since the last wait), false after ms or on abort. */
  next(ms: number, signal?: AbortSignal): Promise<boolean>;
  close(): void;
};

export class OrderNotifier {
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly onChange?: (orderId: string) => void;

  /** `onChange` passes this process's changes on (to the other replicas); those heard from them come to `wake`. */
  constructor(onChange?: (orderId: string) => void) {
    this.onChange = onChange;
  }

  /** The order changed in a transaction of this process that has committed. */
  notify(orderId: string): void {
    this.wake(orderId);
    this.onChange?.(orderId);
  }

  /** Wakes the order's watches without passing the change on: another replica made it. */
  wake(orderId: string): void {
    for (const wake of this.watchers.get(orderId) ?? []) wake();
  }

  /** Wakes every watch once: news may have been missed (the replicas' notifications were cut for a while). */
  notifyAll(): void {
    for (const wakes of this.watchers.values()) for (const wake of wakes) wake();
  }

  watch(orderId: string): OrderWatch {
    let changed = false;
    let waiting: (() => void) | undefined;
    const wake = () => {
      changed = true;
      waiting?.();
    };
    const wakes = this.watchers.get(orderId) ?? new Set();
    this.watchers.set(orderId, wakes.add(wake));
    return {
      next: (ms, signal) => {
        if (changed || signal?.aborted) return Promise.resolve(consume());
        return new Promise<boolean>((done) => {
          const finish = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', finish);
            waiting = undefined;
            done(consume());
          };
          const timer = setTimeout(finish, ms);
          waiting = finish;
          signal?.addEventListener('abort', finish, { once: true });
        });
      },
      close: () => {
        wakes.delete(wake);
        if (wakes.size === 0 && this.watchers.get(orderId) === wakes) this.watchers.delete(orderId);
      },
    };

    function consume(): boolean {
      const was = changed;
      changed = false;
      return was;
    }
  }

  /** Resolves at the next change of the order or after ms, whichever comes first. */
  async next(orderId: string, ms: number, signal?: AbortSignal): Promise<void> {
    const watch = this.watch(orderId);
    await watch.next(ms, signal).finally(() => watch.close());
  }
}
