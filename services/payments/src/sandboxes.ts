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
  stop(): Promise<void>;
};

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
  for (const [provider, app, refField] of [
    ['jazzcash', jazzcash.app, 'pp_TxnRefNo'],
    ['easypaisa', easypaisa.app, 'orderId'],
  ] as const) {
    app.addHook('preHandler', async (req) => {
      const txnRef = String((req.body as Record<string, unknown> | undefined)?.[refField] ?? '');
      requests.push({ provider, path: req.url, txnRef, at: new Date().toISOString() });
      if (requests.length > KEPT_REQUESTS) requests.shift();
    });
  }
  const stop = async () => void (await Promise.all([jazzcash.app.close(), easypaisa.app.close()]));
  try {
    const jazzcashUrl = await jazzcash.app.listen({ port: options.jazzcashPort ?? config.jazzcashSandboxPort, host });
    const easypaisaUrl = await easypaisa.app.listen({
      port: options.easypaisaPort ?? config.easypaisaSandboxPort,
      host,
    });
    return { jazzcashUrl, easypaisaUrl, jazzcash, easypaisa, requests, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
