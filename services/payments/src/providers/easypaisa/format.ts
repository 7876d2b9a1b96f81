import { createCipheriv, timingSafeEqual } from 'node:crypto';
import { fromKarachiWallClock, karachiWallClock, pad } from '../karachi-time.ts';
import type { CallbackCheck } from '../provider.ts';

// easypaisa/format: every EasyPaisa (Easypay v4) field name, code, path and the hosted-checkout hash live here.
// Sources: [sdk] = what the community SDKs agree on (see ../README.md); [ours] = our assumption, not seen in a source.

export const easyPaisaPaths = {
  initiateMa: '/easypay-service/rest/v4/initiate-ma-transaction', // [sdk]
  initiateOtc: '/easypay-service/rest/v4/initiate-otc-transaction', // [sdk] over the counter: we only simulate it
  inquire: '/easypay-service/rest/v4/inquire-transaction', // [sdk]
  reverse: '/easypay-service/rest/v4/reverse-transaction', // [ours] no public source shows a wallet reversal call
};

export const easyPaisaCodes = {
  success: '0000', // [sdk]
  systemError: '0001', // [sdk] outcome unknown: the caller inquires
  requiredFieldMissing: '0002', // [sdk] also used, by us, for a present but invalid value
  orderNotFound: '0003', // [ours] inquiry/reversal for an unknown orderId
  invalidStoreId: '0006', // [sdk]
  invalidCredentials: '0010', // [sdk]
  lowBalance: '0013', // [ours] sandbox wallet 03000000002
  alreadyReversed: '0020', // [ours] a debit repeated on an orderId that has since been reversed
  orderIdMismatch: '0021', // [ours] a debit repeated on a known orderId with another amount or wallet
} as const;

// easyPaisaRefusals: the codes we know to be final declines; any other code is unknown until an inquiry tells.
const easyPaisaRefusals: ReadonlySet<string> = new Set([
  easyPaisaCodes.requiredFieldMissing,
  easyPaisaCodes.invalidStoreId,
  easyPaisaCodes.invalidCredentials,
  easyPaisaCodes.lowBalance,
  easyPaisaCodes.alreadyReversed,
  easyPaisaCodes.orderIdMismatch,
]);

// easyPaisaStatus: inquiry transactionStatus. PAID, FAILED [sdk]; PENDING, REVERSED [ours].
export const easyPaisaStatus = { paid: 'PAID', failed: 'FAILED', pending: 'PENDING', reversed: 'REVERSED' } as const;

export function easyPaisaOutcome(code: string): 'approved' | 'declined' | 'unknown' {
  if (code === easyPaisaCodes.success) return 'approved';
  return easyPaisaRefusals.has(code) ? 'declined' : 'unknown';
}

// paisaToRupees: the SDKs send rupees with two decimals; we keep integer paisa and convert only here, without floats.
export function paisaToRupees(paisa: number): string {
  if (!Number.isSafeInteger(paisa) || paisa < 0) throw new TypeError('amount must be non-negative integer paisa');
  return `${Math.floor(paisa / 100)}.${pad(paisa % 100)}`;
}

// rupeesToPaisa: only a string with exactly two decimals; 13 rupee digits at most keeps the paisa a safe integer.
export function rupeesToPaisa(rupees: unknown): number | undefined {
  const m = typeof rupees === 'string' ? /^(0|[1-9]\d{0,12})\.(\d{2})$/.exec(rupees) : null;
  return m ? Number(m[1]) * 100 + Number(m[2]) : undefined;
}

// credentialsHeader: the REST body is not signed; the Credentials header authenticates the merchant. [sdk]
export function credentialsHeader(username: string, password: string): Record<string, string> {
  return { Credentials: Buffer.from(`${username}:${password}`).toString('base64') };
}

export function readCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const decoded = header ? Buffer.from(header, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
}

// easyPaisaDateTime: 'YYYYMMDD HHmmss' on Karachi clocks, as tokenExpiry. [sdk]
export function easyPaisaDateTime(at: Date): string {
  const w = karachiWallClock(at);
  return `${w.year}${pad(w.month)}${pad(w.day)} ${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

export function parseEasyPaisaDateTime(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  return fromKarachiWallClock({ year, month, day, hour, minute, second });
}

// defaultEmailAddress: [ours] the MA call requires an email and our orders carry none.
export const defaultEmailAddress = 'payments@bazaar.pk';

// maOptionalFields: [ours] which of optional1..5 [sdk] carry our order id and the description.
export const maOptionalFields = { order: 'optional1', description: 'optional2' } as const;

export type MaRequest = {
  storeId: string;
  orderId: string; // our txn ref: unique per attempt
  amount: number; // paisa
  wallet: string;
  email?: string; // defaultEmailAddress when not given
  tokenExpiry: Date;
  order: string; // our order id
  description?: string;
};

// maRequiredFields / otcRequiredFields: what every SDK sends for a debit; the sandbox refuses a request without. [sdk]
export const maRequiredFields = [
  'storeId',
  'orderId',
  'transactionAmount',
  'transactionType',
  'mobileAccountNo',
  'emailAddress',
  'tokenExpiry',
];
export const otcRequiredFields = maRequiredFields.map((f) => (f === 'mobileAccountNo' ? 'msisdn' : f));

export function maTransactionBody(r: MaRequest): Record<string, string> {
  return {
    storeId: r.storeId,
    orderId: r.orderId,
    transactionAmount: paisaToRupees(r.amount),
    transactionType: 'MA',
    mobileAccountNo: r.wallet,
    emailAddress: r.email ?? defaultEmailAddress,
    tokenExpiry: easyPaisaDateTime(r.tokenExpiry),
    [maOptionalFields.order]: r.order,
    ...(r.description ? { [maOptionalFields.description]: r.description } : {}),
  };
}

// invalidDebitField: the first field of an MA or OTC debit the provider would refuse as a bad value (0002).
export function invalidDebitField(b: Record<string, unknown>, type: 'MA' | 'OTC'): string | undefined {
  if (!rupeesToPaisa(b.transactionAmount)) return 'transactionAmount';
  if (b.transactionType !== type) return 'transactionType';
  if (typeof b.tokenExpiry !== 'string' || !parseEasyPaisaDateTime(b.tokenExpiry)) return 'tokenExpiry';
  return undefined;
}

// inquiryBody / reverseBody: accountNum is the merchant's account, sent when configured. [sdk] / [ours]
export function inquiryBody(r: { storeId: string; orderId: string; accountNum?: string }): Record<string, string> {
  return { orderId: r.orderId, storeId: r.storeId, ...(r.accountNum ? { accountNum: r.accountNum } : {}) };
}
export const reverseBody = inquiryBody;

// readEasyPaisaRequest: what a provider (our sandbox) reads from any of the requests above.
export function readEasyPaisaRequest(b: Record<string, unknown>) {
  return {
    storeId: text(b.storeId),
    orderId: text(b.orderId),
    amount: rupeesToPaisa(b.transactionAmount),
    wallet: text(b.mobileAccountNo),
    msisdn: text(b.msisdn),
    order: text(b[maOptionalFields.order]),
    missing: (fields: string[]) => fields.find((f) => text(b[f]) === ''),
  };
}

// EasyPaisaAnswer: the response fields we act on, for initiation, inquiry and reversal alike.
export type EasyPaisaAnswer = {
  responseCode: string;
  responseDesc: string;
  orderId?: string;
  storeId?: string;
  transactionId?: string;
  transactionDateTime?: string;
  transactionStatus?: string; // inquiry only
  transactionAmount?: string; // inquiry only
  errorCode?: string; // inquiry only
  errorReason?: string; // inquiry only
};

export function easyPaisaAnswerBody(a: EasyPaisaAnswer): Record<string, string> {
  return Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;
}

export function readEasyPaisaAnswer(b: Record<string, unknown>): EasyPaisaAnswer {
  const field = (k: string) => text(b[k]) || undefined;
  return {
    responseCode: text(b.responseCode),
    responseDesc: text(b.responseDesc),
    orderId: field('orderId'),
    storeId: field('storeId'),
    transactionId: field('transactionId'),
    transactionDateTime: field('transactionDateTime'),
    transactionStatus: field('transactionStatus'),
    transactionAmount: field('transactionAmount'),
    errorCode: field('errorCode'),
    errorReason: field('errorReason'),
  };
}

// easyPaisaHashInput: key=value pairs, keys in alphabetical order, empty fields and the hash itself left out. [sdk]
export function easyPaisaHashInput(fields: Record<string, unknown>): string {
  return Object.keys(fields)
    .filter((k) => k !== 'merchantHashedReq' && text(fields[k]) !== '')
    .sort()
    .map((k) => `${k}=${text(fields[k])}`)
    .join('&');
}

// easyPaisaHashedRequest: merchantHashedReq = base64(AES-ECB, PKCS5 padding, keyed by the 16/24/32-byte hash key). [sdk]
export function easyPaisaHashedRequest(fields: Record<string, unknown>, hashKey: string): string {
  const key = Buffer.from(hashKey, 'utf8');
  if (![16, 24, 32].includes(key.length)) throw new TypeError('EasyPaisa hash key must be 16, 24 or 32 bytes');
  const cipher = createCipheriv(`aes-${key.length * 8}-ecb`, key, null); // PKCS#7 padding is PKCS5 for AES blocks
  return Buffer.concat([cipher.update(easyPaisaHashInput(fields), 'utf8'), cipher.final()]).toString('base64');
}

export function verifyEasyPaisaHashedRequest(fields: Record<string, unknown>, hashKey: string): boolean {
  const given = Buffer.from(text(fields.merchantHashedReq));
  const expected = Buffer.from(easyPaisaHashedRequest(fields, hashKey));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// callbackTimeField: [ours] the signed field that dates a notification; the SDKs show none.
export const callbackTimeField = 'transactionDateTime';

export function buildEasyPaisaCallback(
  fields: Record<string, string>,
  at: Date,
  hashKey: string,
): Record<string, string> {
  const dated = { ...fields, [callbackTimeField]: easyPaisaDateTime(at) };
  return { ...dated, merchantHashedReq: easyPaisaHashedRequest(dated, hashKey) };
}

// verifyEasyPaisaCallback: a notification is only a hint; the service still confirms with inquire-transaction.
export function verifyEasyPaisaCallback(
  fields: Record<string, unknown>,
  hashKey: string,
  now: Date,
  maxAgeMs: number,
): CallbackCheck {
  if (!verifyEasyPaisaHashedRequest(fields, hashKey)) return 'bad_signature';
  const at = parseEasyPaisaDateTime(text(fields[callbackTimeField]));
  if (!at || Math.abs(now.getTime() - at.getTime()) > maxAgeMs) return 'stale';
  return 'ok';
}

// easyPaisaCallbackFields: [ours] the notification fields we act on: our txn ref and the payment's status.
export const easyPaisaCallbackFields = { txnRef: 'orderRefNumber', status: 'paymentStatus' } as const;

export function readEasyPaisaCallback(fields: Record<string, unknown>): { txnRef: string; paid: boolean } {
  return {
    txnRef: text(fields[easyPaisaCallbackFields.txnRef]),
    paid: text(fields[easyPaisaCallbackFields.status]) === easyPaisaStatus.paid,
  };
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

// easyPaisaIpn: a payment notification (IPN) carries a URL to fetch, not a signed body [sdk]; the page's path and its
// fields (the inquiry's names) are [ours]. Neither the notification nor the page moves money: an inquiry decides.
const ipnPages = '/easypay-service/rest/v4/ipn/';
const ipnPage = new RegExp(`^${ipnPages}[A-Za-z0-9_-]{1,64}$`);
export const easyPaisaIpn = {
  field: 'url',
  route: `${ipnPages}:ref`,
  path: (txnRef: string) => `${ipnPages}${encodeURIComponent(txnRef)}`,
  /** isPage: the URL is an IPN page, as `path` makes one (a txn ref, no query); no other URL is read. */
  isPage: (url: URL) => ipnPage.test(url.pathname) && url.search === '' && url.hash === '',
} as const;

/** What an IPN page says: the transaction (our txn ref) and whether the provider shows it paid. */
export function readEasyPaisaIpnPage(body: Record<string, unknown>): { txnRef: string; paid: boolean } | undefined {
  const txnRef = text(body.orderRefNumber);
  return txnRef ? { txnRef, paid: text(body.transactionStatus) === easyPaisaStatus.paid } : undefined;
}
