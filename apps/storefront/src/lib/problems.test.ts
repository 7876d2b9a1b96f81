import { describe, expect, it } from 'vitest';
import { CNIC_PATTERN, fieldErrors, friendlyMessage, normalisePhone, toProblem, WALLET_PATTERN } from './problems.ts';

describe('problems', () => {
  it('reads a problem document, with Retry-After', () => {
    expect(toProblem(429, { code: 'RATE_LIMITED', detail: 'Too many' }, '3')).toEqual({
      status: 429,
      code: 'RATE_LIMITED',
      detail: 'Too many',
      retryAfter: 3,
    });
    expect(toProblem(502, 'not json').code).toBe('UNAVAILABLE');
    expect(toProblem(402, { code: 'PAYMENT_DECLINED', orderId: 'ord_1' }).orderId).toBe('ord_1');
  });

  it('names the wallet that declined and offers a way on', () => {
    const message = friendlyMessage({ code: 'PAYMENT_DECLINED' }, 'easypaisa');
    expect(message).toContain('EasyPaisa declined the payment');
    expect(message).toContain('Nothing was charged');
  });

  it('says nothing was charged for every way a payment can reject an order', () => {
    for (const code of ['PAYMENT_TIMEOUT', 'PAYMENT_UNAVAILABLE', 'PAYMENT_FAILED'])
      expect(friendlyMessage({ code }, 'jazzcash')).toMatch(/^JazzCash .*nothing was charged/);
  });

  it('has words for the codes a shopper meets, and falls back to the detail', () => {
    expect(friendlyMessage({ code: 'OUT_OF_STOCK' })).toMatch(/sold out/);
    expect(friendlyMessage({ code: 'RATE_LIMITED', retryAfter: 2 })).toMatch(/wait 2 seconds/);
    expect(friendlyMessage({ code: 'RATE_LIMITED', retryAfter: 1 })).toMatch(/wait 1 second /);
    const conflict = toProblem(409, { code: 'STOCK_CONFLICT', onHand: 12, reserved: 3, delta: -100 });
    expect(friendlyMessage(conflict)).toBe('At most 9 can be taken away: 12 on hand, 3 reserved by open orders.');
    const lockout = {
      code: 'RATE_LIMITED',
      retryAfter: 300,
      detail: 'Too many failed logins for this account; try again later.',
    };
    expect(friendlyMessage(lockout)).toBe(
      'Too many failed logins for this account. Please wait 5 minutes, then try again.',
    );
    expect(friendlyMessage({ code: 'UNAUTHENTICATED' })).toMatch(/log in again/);
    expect(friendlyMessage({ code: 'SOMETHING_NEW', detail: 'A new thing happened.' })).toBe('A new thing happened.');
  });

  it('puts validation errors beside their fields in plain words', () => {
    const errors = fieldErrors({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [
        { path: 'payment.wallet', message: 'must match pattern "^03\\d{9}$"' },
        { path: 'shipping.address', message: 'must NOT have fewer than 1 characters' },
        { path: 'shipping.address', message: 'must not be blank' },
        { path: 'password', message: 'must NOT have fewer than 8 characters' },
        { path: '/email', message: 'must match format "email"' },
      ],
    });
    expect(errors).toEqual({
      wallet: 'Enter an 11-digit mobile number starting 03, like 03001234567.',
      address: 'This is required.',
      password: 'Use at least 8 characters.',
      email: 'Enter an email address like name@example.pk.',
    });
  });

  it("puts a refused money amount beside the field it came from, with the catalogue's limit", () => {
    const errors = fieldErrors({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'body.price.amount', message: 'must be <= 10000000000' }],
    });
    expect(errors).toEqual({ price: 'Enter a price from Rs 0.01 to Rs 100,000,000.' });
  });

  it('says a number out of range as a limit in words, never the schema\'s "must be <="', () => {
    const errors = fieldErrors({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [
        { path: '/quantity', message: 'must be <= 1000000' },
        { path: '/delta', message: 'must be >= -1000000' },
      ],
    });
    expect(errors).toEqual({ quantity: 'Enter at most 1,000,000.', delta: 'Enter at least -1,000,000.' });
  });

  it('puts a refused CNIC beside its field, without repeating it, and takes exactly six digits', () => {
    const errors = fieldErrors({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [{ path: '/payment/cnic', message: 'must match pattern "^[0-9]{6}$"' }],
    });
    expect(errors).toEqual({ cnic: 'Enter the last 6 digits of your CNIC, or leave it empty.' });
    expect(['345678', '000000'].every((c) => CNIC_PATTERN.test(c))).toBe(true);
    expect(['12345', '1234567', '12345a', ' 345678'].some((c) => CNIC_PATTERN.test(c))).toBe(false);
  });

  it('accepts the ways people write a mobile number', () => {
    for (const typed of ['0300 1234567', '0300-1234567', '+92 300 1234567', '00923001234567']) {
      expect(normalisePhone(typed)).toBe('03001234567');
      expect(WALLET_PATTERN.test(normalisePhone(typed))).toBe(true);
    }
    expect(WALLET_PATTERN.test(normalisePhone('0300123'))).toBe(false);
  });
});
