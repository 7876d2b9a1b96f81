// problems: the API's RFC 9457 problem documents turned into words a shopper can act on.
import { METHOD_NAMES, type PaymentMethod } from '@bazaar/web-kit/api-types';

export type FieldError = { path: string; message: string };
export type Problem = {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  errors?: FieldError[];
  orderId?: string;
  retryAfter?: number;
  /** STOCK_CONFLICT: the product's stock when the change was refused. */
  onHand?: number;
  reserved?: number;
};

export type { PaymentMethod };

/** ApiError carries a problem from the API (or one made up for a network failure) through a rejected promise. */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.code);
    this.name = 'ApiError';
    this.problem = problem;
  }
}

/** toProblem reads a failed response's body, whatever shape it came in. */
export function toProblem(status: number, body: unknown, retryAfterHeader?: string | null): Problem {
  const b = (body && typeof body === 'object' ? body : {}) as Partial<Problem>;
  const retry = Number(retryAfterHeader);
  return {
    status,
    code: typeof b.code === 'string' ? b.code : status >= 500 ? 'UNAVAILABLE' : `HTTP_${status}`,
    ...(typeof b.title === 'string' ? { title: b.title } : {}),
    ...(typeof b.detail === 'string' ? { detail: b.detail } : {}),
    ...(Array.isArray(b.errors) ? { errors: b.errors } : {}),
    ...(typeof b.orderId === 'string' ? { orderId: b.orderId } : {}),
    ...(typeof b.onHand === 'number' && typeof b.reserved === 'number'
      ? { onHand: b.onHand, reserved: b.reserved }
      : {}),
    ...(Number.isFinite(retry) && retry > 0 ? { retryAfter: retry } : {}),
  };
}

/** namesNothing: the API found nothing by that id or number, or could not even read it (a mangled link's). */
export const namesNothing = (problem: Pick<Problem, 'code'>) =>
  problem.code === 'NOT_FOUND' || problem.code === 'VALIDATION_FAILED';

export const networkProblem = (): Problem => ({ status: 0, code: 'NETWORK', detail: 'The network request failed.' });

/** problemOf: what a failed call says: the API's problem, or NETWORK when no answer came (a thrown TypeError). */
export const problemOf = (e: unknown): Problem => (e instanceof ApiError ? e.problem : { status: 0, code: 'NETWORK' });

/** friendlyMessage says what happened and what to do next; `method` names the wallet in payment messages. */
export function friendlyMessage(
  problem: Pick<Problem, 'code' | 'detail' | 'retryAfter' | 'onHand' | 'reserved'>,
  method?: PaymentMethod,
): string {
  const wallet = method && method !== 'cod' ? METHOD_NAMES[method] : 'Your wallet';
  switch (problem.code) {
    case 'OUT_OF_STOCK':
      return 'Sorry, some items sold out while you were shopping. Your cart shows what is still available: change the quantities and try again.';
    case 'PAYMENT_DECLINED':
      return `${wallet} declined the payment (for example, not enough balance). Nothing was charged. Try another wallet number, or choose cash on delivery.`;
    case 'PAYMENT_TIMEOUT':
      return `${wallet} did not confirm the payment in time, so the order was not placed and nothing was charged. Please try again.`;
    case 'PAYMENT_FAILED':
      return `${wallet} did not complete the payment, so the order was not placed and nothing was charged. Please try again, or choose cash on delivery.`;
    case 'PAYMENT_UNAVAILABLE':
      return `${wallet} could not be reached, so the order was not placed and nothing was charged. Try again shortly, or choose cash on delivery.`;
    case 'VALIDATION_FAILED':
      return 'Some details need fixing: see the highlighted fields.';
    case 'RATE_LIMITED':
      // The login lockout shares the code; its detail says which limit it is.
      return /failed logins/i.test(problem.detail ?? '')
        ? `Too many failed logins for this account. Please wait ${waitText(problem.retryAfter)}, then try again.`
        : `Too many requests at once. Please wait ${waitText(problem.retryAfter)} and try again.`;
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Please log in again.';
    case 'INVALID_CREDENTIALS':
      return 'That email and password do not match an account.';
    case 'EMAIL_TAKEN':
      return 'An account with this email already exists. Log in instead, or use another email.';
    case 'FORBIDDEN':
      return 'This page is only for administrators.';
    case 'NOT_FOUND':
      return 'We could not find that.';
    case 'SKU_EXISTS':
      return 'A product with this SKU already exists.';
    case 'STOCK_CONFLICT':
      if (problem.onHand !== undefined && problem.reserved !== undefined)
        return `At most ${Math.max(0, problem.onHand - problem.reserved)} can be taken away: ${problem.onHand} on hand, ${problem.reserved} reserved by open orders.`;
      return 'Stock cannot go below what open orders have reserved.';
    case 'NOT_CANCELLABLE':
      return 'This order can no longer be cancelled: the courier has already picked it up.';
    case 'PAYLOAD_TOO_LARGE':
      return 'That is too much text to send. Please shorten it.';
    case 'NETWORK':
      return 'Cannot reach Bazaar. Check your connection and try again.';
    case 'UNAVAILABLE':
    case 'NOT_READY':
      return 'Bazaar is having trouble right now. Please try again in a moment.';
    default:
      return problem.detail ? `${problem.detail}` : 'Something went wrong. Please try again.';
  }
}

/** waitText says how long to wait in words: "1 second", "45 seconds", "5 minutes". */
function waitText(seconds: number | undefined): string {
  if (!seconds) return 'a few seconds';
  if (seconds >= 120) return `${Math.ceil(seconds / 60)} minutes`;
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

/**
 * fieldErrors maps the API's `errors` to one friendly message per form field, keyed by the path's last part; a Money's
 * `amount` or `currency` is its own field's (`price.amount` is the price's), as a form has one box for it.
 */
export function fieldErrors(problem: Problem | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of problem?.errors ?? []) {
    const parts = error.path.split(/[./]/).filter(Boolean);
    const money = parts.length > 1 && ['amount', 'currency'].includes(parts.at(-1)!);
    const field = (money ? parts.at(-2) : parts.at(-1)) ?? '';
    if (!(field in out)) out[field] = friendlyField(field, error.message);
  }
  return out;
}

function friendlyField(field: string, message: string): string {
  if (field === 'phone' || field === 'wallet') return PHONE_HINT;
  if (field === 'cnic') return CNIC_HINT;
  if (field === 'price') return `Enter a price from Rs 0.01 to Rs ${MAX_PRICE_RUPEES.toLocaleString('en-US')}.`;
  if (field === 'email' && /format/.test(message)) return 'Enter an email address like name@example.pk.';
  if (field === 'sku' && /pattern/.test(message))
    return 'Use 2 to 40 capital letters, digits and hyphens, like LAWN-002.';
  const fewer = /fewer than (\d+) characters/.exec(message);
  if (fewer) return fewer[1] === '1' ? 'This is required.' : `Use at least ${fewer[1]} characters.`;
  if (message === 'must not be blank') return 'This is required.';
  const more = /more than (\d+) characters/.exec(message);
  if (more) return `Use at most ${more[1]} characters.`;
  if (/required property/.test(message)) return 'This is required.';
  // A number out of range: the schema's 'must be <= 1000000' in words, with the limit as people write it.
  const bound = /^must be ([<>])=? (-?\d+)$/.exec(message);
  if (bound) return `Enter ${bound[1] === '<' ? 'at most' : 'at least'} ${Number(bound[2]).toLocaleString('en-US')}.`;
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

/** The most units of a product's stock, or of one change to it, that inventory takes. */
export const MAX_QUANTITY = 1_000_000;

/** The highest price the catalogue takes, in rupees (inventory's limit, 10,000,000,000 paisa). */
export const MAX_PRICE_RUPEES = 100_000_000;

/** WALLET_PATTERN: Pakistani mobile numbers, 11 digits starting 03. */
export const WALLET_PATTERN = /^03\d{9}$/;

/** CNIC_PATTERN: the last six digits of a national identity card number, as JazzCash takes them. */
export const CNIC_PATTERN = /^[0-9]{6}$/;
/** What a refused mobile or wallet number is told. */
export const PHONE_HINT = 'Enter an 11-digit mobile number starting 03, like 03001234567.';

export const CNIC_HINT = 'Enter the last 6 digits of your CNIC, or leave it empty.';

/** normalisePhone drops the spaces, dashes and +92 prefix people type, leaving `03XXXXXXXXX` when it can. */
export function normalisePhone(input: string): string {
  let digits = input.replace(/[\s()-]/g, '');
  if (digits.startsWith('+92')) digits = `0${digits.slice(3)}`;
  else if (digits.startsWith('0092')) digits = `0${digits.slice(4)}`;
  return digits;
}
