import { createHmac, timingSafeEqual } from 'node:crypto';
import { fromKarachiWallClock, karachiWallClock, pad } from '../karachi-time.ts';
import type { CallbackCheck } from '../provider.ts';

// jazzcash/format: every JazzCash field name, code, path and the secure hash live here, for a merchant to correct.
// Sources: [sdk] = what the community SDKs agree on (see ../README.md); [ours] = our assumption, not seen in a source.

export type JazzCashFields = Record<string, string>;

// jazzCashPaths: the MWALLET and refund paths differ between SDKs, so clients accept overrides.
export const jazzCashPaths = {
  mwallet: '/ApplicationAPI/API/Payment/DoTransaction', // [sdk] v1.1 REST debit, used by the SDKs for MWALLET
  mwalletV2: '/ApplicationAPI/API/2.0/Purchase/DoMWalletTransaction', // [sdk] v2.0 wallet debit, needs pp_CNIC
  inquiry: '/ApplicationAPI/API/PaymentInquiry/Inquire', // [sdk]
  refund: '/ApplicationAPI/API/2.0/Purchase/domwalletrefundtransaction', // [ours] name follows the SDKs' pattern
};

export const jazzCashCodes = {
  success: '000', // [sdk]
  invalidRequest: '110', // [sdk] "insufficient merchant information": bad credentials, hash or field
  insufficientBalance: '402', // [ours] sandbox wallet 03000000002
  pending: '157', // [ours] wallet holder has not confirmed yet: outcome unknown
  systemError: '199', // [ours] outcome unknown
  notFound: '404', // [ours] inquiry/refund for an unknown pp_TxnRefNo
  alreadyReversed: '409', // [ours] a debit repeated on a pp_TxnRefNo that has since been reversed
  refMismatch: '412', // [ours] a debit repeated on a known pp_TxnRefNo with another amount or wallet
} as const;

// jazzCashRefusals: the codes we know to be final declines; any other code is unknown until an inquiry tells.
const jazzCashRefusals: ReadonlySet<string> = new Set([
  jazzCashCodes.invalidRequest,
  jazzCashCodes.insufficientBalance,
  jazzCashCodes.alreadyReversed,
  jazzCashCodes.refMismatch,
]);

// jazzCashVersions: 1.1 needs no CNIC, which our API does not collect, so 2.0 is sent only with one. [sdk]
export const jazzCashVersions = { withoutCnic: '1.1', withCnic: '2.0' } as const;
const mwalletTxnType = 'MWALLET'; // [sdk]
const currency = 'PKR'; // [sdk]

// jazzCashStatus: inquiry pp_Status values. [ours] The SDKs show the field, not a list of its values.
export const jazzCashStatus = {
  paid: 'Completed',
  failed: 'Failed',
  pending: 'Pending',
  reversed: 'Reversed',
} as const;

export function jazzCashOutcome(code: string): 'approved' | 'declined' | 'unknown' {
  if (code === jazzCashCodes.success) return 'approved';
  return jazzCashRefusals.has(code) ? 'declined' : 'unknown';
}

// jazzCashPaisa: pp_Amount is integer paisa; 15 digits at most keeps it a safe integer. [ours] cap
export function jazzCashPaisa(value: unknown): number | undefined {
  return typeof value === 'string' && /^[1-9]\d{0,14}$/.test(value) ? Number(value) : undefined;
}

// jazzCashHashInput: salt, then the values of the non-empty fields but pp_SecureHash, sorted by name in byte order.
export function jazzCashHashInput(fields: Record<string, unknown>, salt: string): string {
  const keys = Object.keys(fields).filter((k) => k !== 'pp_SecureHash' && text(fields[k]) !== '');
  keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return [salt, ...keys.map((k) => text(fields[k]))].join('&');
}

export function jazzCashSecureHash(fields: Record<string, unknown>, salt: string): string {
  return createHmac('sha256', salt).update(jazzCashHashInput(fields, salt), 'utf8').digest('hex');
}

export function signJazzCashFields(fields: JazzCashFields, salt: string): JazzCashFields {
  const { pp_SecureHash: _ignored, ...rest } = fields;
  return { ...rest, pp_SecureHash: jazzCashSecureHash(rest, salt) };
}

// verifyJazzCashHash: case-insensitive because SDKs differ in hex case; constant-time against timing probes.
export function verifyJazzCashHash(fields: Record<string, unknown>, salt: string): boolean {
  const given = fields.pp_SecureHash;
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(jazzCashSecureHash(fields, salt));
  const actual = Buffer.from(given.toLowerCase());
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// jazzCashDateTime: YYYYMMDDHHmmss on Karachi clocks. [sdk]
export function jazzCashDateTime(at: Date): string {
  const w = karachiWallClock(at);
  return `${w.year}${pad(w.month)}${pad(w.day)}${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

export function parseJazzCashDateTime(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
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

export type MWalletRequest = {
  merchantId: string;
  password: string;
  txnRef: string;
  amount: number; // paisa; pp_Amount is already in paisa [sdk]
  wallet: string;
  cnic?: string; // last six digits of the customer's CNIC: given, the request is v2.0 [sdk]
  billReference: string;
  description: string;
  at: Date;
  expiry: Date;
};

// mwalletFields: the unsigned MWALLET debit, v1.1 unless a CNIC makes it v2.0; empty fields stay out of the hash. [sdk]
export function mwalletFields(r: MWalletRequest): JazzCashFields {
  return {
    pp_Version: r.cnic ? jazzCashVersions.withCnic : jazzCashVersions.withoutCnic,
    pp_TxnType: mwalletTxnType,
    pp_Language: 'EN',
    pp_MerchantID: r.merchantId,
    pp_SubMerchantID: '',
    pp_Password: r.password,
    pp_BankID: '',
    pp_ProductID: '',
    pp_TxnRefNo: r.txnRef,
    pp_MobileNumber: r.wallet,
    ...(r.cnic ? { pp_CNIC: r.cnic } : {}),
    pp_Amount: String(r.amount),
    pp_TxnCurrency: currency,
    pp_TxnDateTime: jazzCashDateTime(r.at),
    pp_TxnExpiryDateTime: jazzCashDateTime(r.expiry),
    pp_BillReference: r.billReference,
    pp_Description: r.description,
    ppmpf_1: '',
    ppmpf_2: '',
    ppmpf_3: '',
    ppmpf_4: '',
    ppmpf_5: '',
  };
}

// mwalletPath: each version has its own path; the fields say which version they are.
export function mwalletPath(fields: JazzCashFields, paths: typeof jazzCashPaths): string {
  return fields.pp_Version === jazzCashVersions.withCnic ? paths.mwalletV2 : paths.mwallet;
}

// mwalletRequiredFields: what a wallet debit carries besides credentials and hash, in every SDK. [sdk]
const mwalletRequiredFields = [
  'pp_Version',
  'pp_TxnType',
  'pp_TxnRefNo',
  'pp_MobileNumber',
  'pp_Amount',
  'pp_TxnCurrency',
  'pp_TxnDateTime',
  'pp_TxnExpiryDateTime',
];

// invalidMwalletField: the first field the provider would refuse in a debit sent to the path of `version`.
export function invalidMwalletField(f: Record<string, unknown>, version: string): string | undefined {
  const missing = mwalletRequiredFields.find((k) => text(f[k]) === '');
  if (missing) return missing;
  const cnic = text(f.pp_CNIC);
  const valid: [string, boolean][] = [
    ['pp_Version', f.pp_Version === version],
    ['pp_TxnType', f.pp_TxnType === mwalletTxnType],
    ['pp_TxnCurrency', f.pp_TxnCurrency === currency],
    ['pp_Amount', jazzCashPaisa(f.pp_Amount) !== undefined],
    ['pp_TxnDateTime', parseJazzCashDateTime(text(f.pp_TxnDateTime)) !== undefined],
    ['pp_TxnExpiryDateTime', parseJazzCashDateTime(text(f.pp_TxnExpiryDateTime)) !== undefined],
    ['pp_CNIC', version === jazzCashVersions.withCnic ? /^\d{6}$/.test(cnic) : cnic === ''], // [sdk] 2.0 only
  ];
  return valid.find(([, ok]) => !ok)?.[0];
}

export type Credentials = { merchantId: string; password: string };

export function inquiryFields(c: Credentials & { txnRef: string }): JazzCashFields {
  return { pp_Version: '2.0', pp_TxnRefNo: c.txnRef, pp_MerchantID: c.merchantId, pp_Password: c.password }; // [sdk]
}

// refundFields: [ours] modelled on the SDKs' card refund; the wallet refund also asks for the merchant MPIN.
export function refundFields(c: Credentials & { txnRef: string; amount: number; mpin: string }): JazzCashFields {
  return {
    pp_TxnRefNo: c.txnRef,
    pp_Amount: String(c.amount),
    pp_TxnCurrency: currency,
    pp_MerchantID: c.merchantId,
    pp_Password: c.password,
    pp_MerchantMPIN: c.mpin,
  };
}

// readJazzCashRequest: what a provider (our sandbox) reads from any of the requests above.
export function readJazzCashRequest(f: Record<string, unknown>) {
  return {
    merchantId: text(f.pp_MerchantID),
    password: text(f.pp_Password),
    txnRef: text(f.pp_TxnRefNo),
    amount: text(f.pp_Amount),
    wallet: text(f.pp_MobileNumber),
    billReference: text(f.pp_BillReference),
    txnDateTime: text(f.pp_TxnDateTime),
    mpin: text(f.pp_MerchantMPIN),
  };
}

// JazzCashAnswer: the fields of a response, an inquiry answer or a callback that we act on.
export type JazzCashAnswer = {
  code: string;
  message: string;
  txnRef: string;
  amount?: number;
  billReference?: string;
  authCode?: string;
  retrievalRef?: string;
  txnDateTime?: string;
  status?: string; // inquiry only
  paymentCode?: string; // inquiry only: the original transaction's response code
};

export function jazzCashAnswerFields(a: JazzCashAnswer, merchantId: string): JazzCashFields {
  return {
    pp_MerchantID: merchantId,
    pp_TxnRefNo: a.txnRef,
    pp_Amount: a.amount === undefined ? '' : String(a.amount),
    pp_TxnCurrency: a.amount === undefined ? '' : currency,
    pp_BillReference: a.billReference ?? '',
    pp_TxnDateTime: a.txnDateTime ?? '',
    pp_ResponseCode: a.code,
    pp_ResponseMessage: a.message,
    pp_AuthCode: a.authCode ?? '',
    pp_RetreivalReferenceNo: a.retrievalRef ?? '', // sic [sdk]
    pp_Status: a.status ?? '',
    pp_PaymentResponseCode: a.paymentCode ?? '',
  };
}

export function readJazzCashAnswer(f: Record<string, unknown>): JazzCashAnswer {
  const amount = text(f.pp_Amount);
  return {
    code: text(f.pp_ResponseCode),
    message: text(f.pp_ResponseMessage),
    txnRef: text(f.pp_TxnRefNo),
    amount: /^\d+$/.test(amount) ? Number(amount) : undefined,
    billReference: text(f.pp_BillReference) || undefined,
    authCode: text(f.pp_AuthCode) || undefined,
    retrievalRef: text(f.pp_RetreivalReferenceNo) || undefined,
    txnDateTime: text(f.pp_TxnDateTime) || undefined,
    status: text(f.pp_Status) || undefined,
    paymentCode: text(f.pp_PaymentResponseCode) || undefined,
  };
}

// buildJazzCashCallback: the signed return-URL POST the provider sends after a hosted or wallet payment. [sdk]
export function buildJazzCashCallback(a: JazzCashAnswer, merchantId: string, salt: string): JazzCashFields {
  const fields = {
    pp_Version: jazzCashVersions.withoutCnic,
    pp_TxnType: mwalletTxnType,
    pp_Language: 'EN',
    ...jazzCashAnswerFields(a, merchantId),
  };
  return signJazzCashFields(fields, salt);
}

// verifyJazzCashCallback: signature first, then freshness from pp_TxnDateTime so an old callback cannot be replayed.
export function verifyJazzCashCallback(
  fields: Record<string, unknown>,
  salt: string,
  now: Date,
  maxAgeMs: number,
): CallbackCheck {
  if (!verifyJazzCashHash(fields, salt)) return 'bad_signature';
  const at = parseJazzCashDateTime(text(fields.pp_TxnDateTime));
  if (!at || Math.abs(now.getTime() - at.getTime()) > maxAgeMs) return 'stale';
  return 'ok';
}

// readJazzCashCallback: the transaction a verified callback names, and whether it reports a completed payment. [sdk]
export function readJazzCashCallback(fields: Record<string, unknown>): { txnRef: string; paid: boolean } {
  return { txnRef: text(fields.pp_TxnRefNo), paid: text(fields.pp_ResponseCode) === jazzCashCodes.success };
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}
