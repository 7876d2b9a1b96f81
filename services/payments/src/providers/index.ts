// providers: the wallet adapters the payments service wires in main.ts, and the sandboxes that stand in for them.

export type { EasyPaisaConfig, EasyPaisaProvider } from './easypaisa/client.ts';
export { createEasyPaisaProvider } from './easypaisa/client.ts';
export {
  buildEasyPaisaCallback,
  easyPaisaCallbackFields,
  easyPaisaHashedRequest,
  easyPaisaHashInput,
  easyPaisaIpn,
  readEasyPaisaCallback,
  verifyEasyPaisaCallback,
  verifyEasyPaisaHashedRequest,
} from './easypaisa/format.ts';
export type { EasyPaisaSandbox, EasyPaisaSandboxOptions } from './easypaisa/sandbox.ts';
export { createEasyPaisaSandbox } from './easypaisa/sandbox.ts';
export type { JazzCashConfig, JazzCashProvider } from './jazzcash/client.ts';
export { createJazzCashProvider } from './jazzcash/client.ts';
export {
  buildJazzCashCallback,
  jazzCashDateTime,
  jazzCashHashInput,
  readJazzCashCallback,
  verifyJazzCashCallback,
} from './jazzcash/format.ts';
export type { JazzCashSandbox, JazzCashSandboxOptions } from './jazzcash/sandbox.ts';
export { createJazzCashSandbox } from './jazzcash/sandbox.ts';
export type {
  AuthorizeRequest,
  BreakerState,
  CallbackCheck,
  CallOptions,
  InquiryStatus,
  PaymentProvider,
  ProviderResult,
  Try,
} from './provider.ts';
export { ProviderUnavailableError } from './provider.ts';
export type { SandboxTransaction } from './sandbox-wallets.ts';
export { sandboxWallets } from './sandbox-wallets.ts';
export { txnRefFor } from './txn-ref.ts';
