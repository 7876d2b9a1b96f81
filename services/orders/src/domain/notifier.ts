// Wakes the event streams of an order when its status changes in this process; streams also poll for other replicas.
import { EventEmitter } from 'node:events';

export class OrderNotifier {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  notify(orderId: string): void {
    this.emitter.emit(orderId);
  }

  /** Resolves at the next change of the order or after ms, whichever comes first. */
  next(orderId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off(orderId, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.emitter.once(orderId, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
