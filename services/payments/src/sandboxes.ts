// The JazzCash and EasyPaisa sandbox simulators on real ports, with the merchant credentials payments uses by default.
import { loadConfig } from './config.ts';
import {
  createEasyPaisaSandbox,
  createJazzCashSandbox,
  type EasyPaisaSandbox,
  type JazzCashSandbox,
} from './providers/index.ts';

export type SandboxOptions = {
  /** Ports; 0 picks free ones. Default JAZZCASH_SANDBOX_PORT (8091) and EASYPAISA_SANDBOX_PORT (8092). */
  jazzcashPort?: number;
  easypaisaPort?: number;
  host?: string;
  /** How long wallet 03000000003 holds its answer (default 10 s, beyond PAYMENT_TIMEOUT_MS). */
  slowMs?: number;
};

/** A request a sandbox received: which provider, which path, and the transaction reference it named. */
export type SandboxRequest = { provider: 'jazzcash' | 'easypaisa'; path: string; txnRef: string; at: string };

export type Sandboxes = {
  jazzcashUrl: string;
  easypaisaUrl: string;
  jazzcash: JazzCashSandbox;
  easypaisa: EasyPaisaSandbox;
  /** The last 1000 requests, oldest first. */
  requests: SandboxRequest[];
  /**
   * Keeps back the answer to the next request that names txnRef on a path containing `path`, after the provider has
   * acted on it, until release(); `reached` resolves once it is kept. Tests use it to stop a call at one exact step.
   */
  holdNext(txnRef: string, path: string): SandboxHold;
  stop(): Promise<void>;
};

export type SandboxHold = { reached: Promise<void>; release(): void };

const KEPT_REQUESTS = 1000;

export async function startSandboxes(options: SandboxOptions = {}): Promise<Sandboxes> {
  const config = loadConfig();
  const host = options.host ?? '127.0.0.1';
  const jazzcash = createJazzCashSandbox({
    merchantId: config.jazzcashMerchantId,
    password: config.jazzcashPassword,
    integritySalt: config.jazzcashIntegritySalt,
    mpin: config.jazzcashMpin,
    slowMs: options.slowMs,
  });
  const easypaisa = createEasyPaisaSandbox({
    storeId: config.easypaisaStoreId,
    username: config.easypaisaUsername,
    password: config.easypaisaPassword,
    hashKey: config.easypaisaHashKey,
    slowMs: options.slowMs,
  });
  const requests: SandboxRequest[] = [];
  // Holds waiting for their request, and every gate not yet opened (stop() opens them all).
  const holds: { txnRef: string; path: string; arrive(): void; gate: Promise<void> }[] = [];
  const gates = new Set<() => void>();
  for (const [provider, app, refField] of [
    ['jazzcash', jazzcash.app, 'pp_TxnRefNo'],
    ['easypaisa', easypaisa.app, 'orderId'],
  ] as const) {
    const refOf = (body: unknown) => String((body as Record<string, unknown> | undefined)?.[refField] ?? '');
    app.addHook('preHandler', async (req) => {
      requests.push({ provider, path: req.url, txnRef: refOf(req.body), at: new Date().toISOString() });
      if (requests.length > KEPT_REQUESTS) requests.shift();
    });
    app.addHook('onSend', async (req, _reply, payload) => {
      const at = holds.findIndex((h) => h.txnRef === refOf(req.body) && req.url.includes(h.path));
      if (at < 0) return payload;
      const [hold] = holds.splice(at, 1);
      hold.arrive();
      await hold.gate;
      return payload;
    });
  }
  const holdNext = (txnRef: string, path: string): SandboxHold => {
    let arrive = () => {};
    let release = () => {};
    const reached = new Promise<void>((resolve) => (arrive = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    gates.add(release);
    holds.push({ txnRef, path, arrive, gate });
    return { reached, release };
  };
  const stop = async () => {
    for (const release of gates) release();
    await Promise.all([jazzcash.app.close(), easypaisa.app.close()]);
  };
  try {
    const jazzcashUrl = await jazzcash.app.listen({ port: options.jazzcashPort ?? config.jazzcashSandboxPort, host });
    const easypaisaUrl = await easypaisa.app.listen({
      port: options.easypaisaPort ?? config.easypaisaSandboxPort,
      host,
    });
    return { jazzcashUrl, easypaisaUrl, jazzcash, easypaisa, requests, holdNext, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
