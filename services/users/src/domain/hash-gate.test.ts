import { AppError } from '@bazaar/kit/server';
import { describe, expect, it } from 'vitest';
import { hashGate } from './hash-gate.ts';

/** A piece of work that runs until finish() is called, recording when it started. */
function controlled(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    work: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('hash gate', () => {
  it('runs at most `concurrency` at once, and waiting addresses take turns: FIFO within one, round-robin between', async () => {
    const gate = hashGate({ concurrency: 2, perClient: 10, maxWaitMs: 60_000 });
    const started: string[] = [];
    const jobs = new Map<string, ReturnType<typeof controlled>>();
    const answers: Promise<string>[] = [];
    const send = (client: string, name: string) => {
      const job = controlled(started, name);
      jobs.set(name, job);
      answers.push(gate.run(client, job.work));
    };
    for (let i = 1; i <= 5; i++) send('flood', `f${i}`);
    send('alice', 'a1');
    send('alice', 'a2');
    send('bob', 'b1');
    await tick();
    expect(started).toEqual(['f1', 'f2']);
    expect(gate.stats()).toEqual({ running: 2, waiting: 6 });
    // Each finished check lets the next one start, taken from the next address in rotation.
    for (const name of ['f1', 'f2', 'f3', 'a1', 'b1', 'f4', 'a2', 'f5']) {
      jobs.get(name)!.finish();
      await tick();
    }
    expect(started).toEqual(['f1', 'f2', 'f3', 'a1', 'b1', 'f4', 'a2', 'f5']);
    expect(await Promise.all(answers)).toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'a1', 'a2', 'b1']);
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses one more than `perClient` from an address with RATE_LIMITED at once, without running it, and not others', async () => {
    const gate = hashGate({ concurrency: 1, perClient: 2, maxWaitMs: 60_000 });
    const started: string[] = [];
    const first = controlled(started, 'x1');
    const second = controlled(started, 'x2');
    const held = [gate.run('x', first.work), gate.run('x', second.work)];
    const refused = await gate.run('x', controlled(started, 'x3').work).catch((err: AppError) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', status: 429, extra: { retryAfter: 1 } });
    const other = controlled(started, 'y1');
    const admitted = gate.run('y', other.work);
    for (const job of [first, second, other]) {
      job.finish();
      await tick();
    }
    expect(await Promise.all([...held, admitted])).toEqual(['x1', 'x2', 'y1']);
    expect(started).toEqual(['x1', 'x2', 'y1']);
    // Once its checks are done, the address is admitted again.
    const again = controlled(started, 'x4');
    const answer = gate.run('x', again.work);
    again.finish();
    expect(await answer).toBe('x4');
  });

  it('gives up a check that waited `maxWaitMs` with SERVICE_UNAVAILABLE and Retry-After, never running it', async () => {
    const gate = hashGate({ concurrency: 1, perClient: 5, maxWaitMs: 50 });
    const started: string[] = [];
    const slow = controlled(started, 'slow');
    const running = gate.run('a', slow.work);
    const late = await gate.run('b', controlled(started, 'late').work).catch((err: AppError) => err);
    expect(late).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, extra: { retryAfter: 1 } });
    expect(gate.stats()).toEqual({ running: 1, waiting: 0 });
    slow.finish();
    expect(await running).toBe('slow');
    expect(started).toEqual(['slow']);
    // Its place is given back: the address may queue again and its next check runs.
    const next = controlled(started, 'next');
    const answer = gate.run('b', next.work);
    await tick();
    next.finish();
    expect(await answer).toBe('next');
  });

  it('frees the turn of a check that throws', async () => {
    const gate = hashGate({ concurrency: 1, perClient: 1, maxWaitMs: 60_000 });
    await expect(gate.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run('a', async () => 'ok')).toBe('ok');
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a setting below 1 at start', () => {
    expect(() => hashGate({ concurrency: 0, perClient: 1, maxWaitMs: 1 })).toThrow(/concurrency/);
  });
});
