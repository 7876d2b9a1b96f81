import { request } from 'undici';
import {
  type AuthorizeRequest,
  type BreakerState,
  type CallOptions,
  type PaymentProvider,
  type ProviderResult,
  ProviderUnavailableError,
} from '../provider.ts';
import type { ResilienceOptions } from '../resilient-http.ts';
import * as calls from '../wallet-calls.ts';
import {
  credentialsHeader,
  type EasyPaisaAnswer,
  easyPaisaCodes,
  easyPaisaIpn,
  easyPaisaOutcome,
  easyPaisaPaths,
  easyPaisaStatus,
  inquiryBody,
  maTransactionBody,
  readEasyPaisaAnswer,
  readEasyPaisaIpnPage,
  reverseBody,
} from './format.ts';

// easypaisa/client: the PaymentProvider for EasyPaisa mobile accounts (Easypay REST v4, transactionType MA).

// Timeouts, retries and the breaker: ResilienceOptions, the same for both wallets.
export type EasyPaisaConfig = ResilienceOptions & {
  baseUrl: string; // e.g. https://easypaystg.easypaisa.com.pk
  storeId: string;
  username: string;
  password: string;
  accountNum?: string; // merchant account number, sent with inquiries when set
  emailAddress?: string; // the MA call requires one; default: defaultEmailAddress in format.ts
  paths?: Partial<typeof easyPaisaPaths>;
  tokenExpiryMs?: number; // default 1 h
  now?: () => Date;
};

export type EasyPaisaProvider = PaymentProvider & {
  readonly name: 'easypaisa';
  breakerState(): BreakerState;
  /**
   * Reads a payment notification's page: the transaction it is about and whether the provider shows it paid.
   * 'foreign' when the URL is not on the provider's host (never fetched); throws ProviderUnavailableError when the
   * page cannot be read now.
   */
  notification(url: string): Promise<{ txnRef: string; paid: boolean } | 'foreign'>;
};

const inquiryCodes: calls.InquiryCodes = {
  success: easyPaisaCodes.success,
  notFound: easyPaisaCodes.orderNotFound,
  status: easyPaisaStatus,
};
const said = (a: EasyPaisaAnswer): calls.Said => ({
  code: a.responseCode,
  message: a.responseDesc,
  status: a.transactionStatus,
});
const verdict = (a: EasyPaisaAnswer): calls.Verdict => ({
  outcome: easyPaisaOutcome(a.responseCode),
  code: a.responseCode,
  message: a.responseDesc,
  raw: { responseCode: a.responseCode, transactionId: a.transactionId, transactionDateTime: a.transactionDateTime },
});

export function createEasyPaisaProvider(config: EasyPaisaConfig): EasyPaisaProvider {
  const caller = calls.createWalletCaller(config);
  const paths = { ...easyPaisaPaths, ...config.paths };
  const now = config.now ?? (() => new Date());
  const headers = credentialsHeader(config.username, config.password);

  // send: the REST body is unsigned (TLS + Credentials only), so we can check the answer names our order, no more.
  function send(path: string, body: Record<string, string>, call?: CallOptions) {
    const trust = (answered: Record<string, unknown>): calls.Trust<EasyPaisaAnswer> => {
      const answer = readEasyPaisaAnswer(answered);
      if (answer.orderId && answer.orderId !== body.orderId) return { distrust: 'response names another order' };
      return { answer };
    };
    return caller.send(path, body, trust, { ...call, headers });
  }

  async function inquiry(txnRef: string, call?: CallOptions): Promise<EasyPaisaAnswer> {
    const body = inquiryBody({ storeId: config.storeId, orderId: txnRef, accountNum: config.accountNum });
    return calls.inquiryAnswer(await send(paths.inquire, body, call), said, inquiryCodes);
  }

  return {
    name: 'easypaisa',
    breakerState: () => caller.breakerState(),

    async authorize(req: AuthorizeRequest, call?: CallOptions): Promise<ProviderResult> {
      const { wallet, txnRef } = calls.walletDebit(req, 'EasyPaisa');
      const body = maTransactionBody({
        storeId: config.storeId,
        orderId: txnRef,
        amount: req.amount,
        wallet,
        email: config.emailAddress,
        tokenExpiry: new Date(now().getTime() + (config.tokenExpiryMs ?? 3_600_000)),
        order: req.orderId,
        description: req.description,
      });
      return calls.debitResult(await send(paths.initiateMa, body, call), txnRef, verdict);
    },

    async inquire(txnRef: string, call?: CallOptions) {
      return calls.inquiryStatus(txnRef, said(await inquiry(txnRef, call)), inquiryCodes);
    },

    async notification(url: string) {
      const target = URL.canParse(url) ? new URL(url) : undefined;
      // Anyone may post a notification: our credentials go to the provider's IPN pages only, never another path.
      if (target?.origin !== new URL(config.baseUrl).origin || !easyPaisaIpn.isPage(target)) return 'foreign';
      const timeout = config.timeoutMs ?? 1500;
      try {
        const res = await request(target, { headers, headersTimeout: timeout, bodyTimeout: timeout });
        const body: unknown = await res.body.json().catch(() => undefined);
        const page =
          res.statusCode === 200 && body && typeof body === 'object'
            ? readEasyPaisaIpnPage(body as Record<string, unknown>)
            : undefined;
        if (page) return page;
        throw new Error(`the notification page answered HTTP ${res.statusCode} without a transaction`);
      } catch (err) {
        throw new ProviderUnavailableError(`EasyPaisa notification unreadable: ${(err as Error).message}`);
      }
    },

    async reverse(txnRef: string, call?: CallOptions) {
      const body = reverseBody({ storeId: config.storeId, orderId: txnRef, accountNum: config.accountNum });
      const res = await send(paths.reverse, body, call);
      return { ok: res.ok && res.answer.responseCode === easyPaisaCodes.success };
    },
  };
}
