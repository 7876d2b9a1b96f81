import { describe, expect, it } from 'vitest';
import { event, until } from './broker-contract.ts';
import { InProcessBroker } from './in-process-broker.ts';

describe('InProcessBroker', () => {
  it("holds an event while the handler's database is away, past maxAttempts, and delivers it once it is back", async () => {
    const broker = new InProcessBroker({ maxAttempts: 2, backoffMs: 5 });
    let calls = 0;
    await broker.subscribe('c', ['t'], async () => {
      if (++calls <= 4) throw Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });
    });
    await broker.publish(event('t'));
    await until(() => calls === 5);
    expect(await broker.deadLetters()).toEqual([]);
  });

  it('dead-letters an event whose handler fails on its own after maxAttempts', async () => {
    const broker = new InProcessBroker({ maxAttempts: 2, backoffMs: 5 });
    let calls = 0;
    await broker.subscribe('c', ['t'], async () => {
      calls++;
      throw new Error('handler bug');
    });
    await broker.publish(event('t'));
    expect(calls).toBe(2);
    expect(await broker.deadLetters()).toMatchObject([{ consumer: 'c', attempts: 2, error: 'Error: handler bug' }]);
  });
});
