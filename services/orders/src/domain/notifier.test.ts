import { describe, expect, it } from 'vitest';
import { OrderNotifier } from './notifier.ts';

describe('the order notifier', () => {
  it('passes on the changes made here, never those another replica told it of', async () => {
    const passed: string[] = [];
    const notifier = new OrderNotifier((orderId) => passed.push(orderId));
    const watch = notifier.watch('ord_1');
    notifier.wake('ord_1');
    expect(await watch.next(50)).toBe(true);
    notifier.notify('ord_1');
    expect(await watch.next(50)).toBe(true);
    expect(passed).toEqual(['ord_1']);
    watch.close();
  });

  it('keeps a change that comes while a stream is busy for its next wait, which returns at once', async () => {
    const notifier = new OrderNotifier();
    const watch = notifier.watch('ord_1');
    notifier.notify('ord_1'); // while the stream reads the history, say
    notifier.notify('ord_1');
    const started = Date.now();
    expect(await watch.next(5000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(100);
    expect(await watch.next(50)).toBe(false); // the two changes woke it once
    watch.close();
  });

  it("wakes a waiting watch at the order's change only, and every watch at notifyAll", async () => {
    const notifier = new OrderNotifier();
    const [one, other] = [notifier.watch('ord_1'), notifier.watch('ord_2')];
    const waits = [one.next(5000), other.next(100)];
    notifier.notify('ord_1');
    expect(await Promise.all(waits)).toEqual([true, false]);
    const all = [one.next(5000), other.next(5000)];
    notifier.notifyAll();
    expect(await Promise.all(all)).toEqual([true, true]);
    one.close();
    notifier.notify('ord_1');
    expect(await one.next(50)).toBe(false);
    other.close();
  });

  it('ends a wait when its signal aborts', async () => {
    const watch = new OrderNotifier().watch('ord_1');
    const abort = new AbortController();
    const wait = watch.next(5000, abort.signal);
    abort.abort();
    expect(await wait).toBe(false);
    watch.close();
  });
});
