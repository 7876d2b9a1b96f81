// The hashing gate: password checks (an scrypt hash, tens of ms of a core each) run a few at a time, and those that
// wait take turns by client address, round-robin, first come first served within one address: a flood from one
// address delays that address, not the others.
import { AppError, unavailable } from '@bazaar/kit/server';

export type HashGateOptions = {
  /** Password checks that may run at once. */
  concurrency: number;
  /** Checks one address may have waiting or running; one more is refused at once. */
  perClient: number;
  /** How long a check may wait for its turn before it is given up, unstarted. */
  maxWaitMs: number;
};

export type HashGate = {
  /** run does work in the client's turn; it throws RATE_LIMITED at once when the client holds perClient already. */
  run<T>(client: string, work: () => Promise<T>): Promise<T>;
  /** Checks running and waiting now. */
  stats(): { running: number; waiting: number };
};

type Waiter = { client: string; go: () => void; timer: ReturnType<typeof setTimeout> };

export const addressBusy = () =>
  new AppError('RATE_LIMITED', 429, 'Too many sign-ups and logins from this address are waiting; try again shortly.', {
    retryAfter: 1,
  });
export const hashingBusy = (retryAfterSeconds: number) =>
  unavailable('Too many sign-ups and logins are waiting; try again shortly.', { retryAfter: retryAfterSeconds });

export function hashGate(options: HashGateOptions): HashGate {
  for (const [name, value] of Object.entries(options))
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`hash gate: ${name} must be at least 1`);
  const held = new Map<string, number>();
  const queues = new Map<string, Waiter[]>();
  /** The addresses with a check waiting, in the order their next check starts. */
  const turns: string[] = [];
  let running = 0;
  let waiting = 0;

  function startNext(): void {
    while (running < options.concurrency && turns.length > 0) {
      const client = turns.shift()!;
      const queue = queues.get(client)!;
      const waiter = queue.shift()!;
      // Back to the end of the line: every other waiting address starts one check before this one starts another.
      if (queue.length > 0) turns.push(client);
      else queues.delete(client);
      waiting--;
      running++;
      clearTimeout(waiter.timer);
      waiter.go();
    }
  }

  function giveUp(waiter: Waiter): void {
    const queue = queues.get(waiter.client)!;
    queue.splice(queue.indexOf(waiter), 1);
    if (queue.length === 0) {
      queues.delete(waiter.client);
      turns.splice(turns.indexOf(waiter.client), 1);
    }
    waiting--;
  }

  /** turn resolves once a check of the client's may start (running counted), or rejects after maxWaitMs. */
  function turn(client: string): Promise<void> {
    if (running < options.concurrency && turns.length === 0) {
      running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { client, go: resolve, timer: undefined as never };
      waiter.timer = setTimeout(() => {
        giveUp(waiter);
        reject(hashingBusy(Math.max(1, Math.ceil(options.maxWaitMs / 1000))));
      }, options.maxWaitMs);
      const queue = queues.get(client);
      if (queue) queue.push(waiter);
      else {
        queues.set(client, [waiter]);
        turns.push(client);
      }
      waiting++;
    });
  }

  function release(client: string): void {
    const left = held.get(client)! - 1;
    if (left > 0) held.set(client, left);
    else held.delete(client);
  }

  return {
    async run(client, work) {
      const mine = held.get(client) ?? 0;
      if (mine >= options.perClient) throw addressBusy();
      held.set(client, mine + 1);
      try {
        await turn(client);
        try {
          return await work();
        } finally {
          running--;
          startNext();
        }
      } finally {
        release(client);
      }
    },
    stats: () => ({ running, waiting }),
  };
}
