import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildJazzCashCallback,
  jazzCashDateTime,
  jazzCashSecureHash,
  parseJazzCashDateTime,
  signJazzCashFields,
  verifyJazzCashCallback,
  verifyJazzCashHash,
} from './format.ts';

const salt = 'z3s2xt5v0s';

describe('JazzCash secure hash', () => {
  it('when fields are signed, the hash is HMAC-SHA256 over salt & the sorted non-empty values, in hex', () => {
    const fields = {
      ppmpf_1: 'extra',
      pp_TxnRefNo: 'T20240101',
      pp_Amount: '150000',
      pp_BankID: '',
      pp_MerchantID: 'MC12345',
      pp_Language: 'EN',
      pp_SecureHash: 'ignored',
    };
    // byte order: pp_Amount < pp_Language < pp_MerchantID < pp_TxnRefNo < ppmpf_1 ('_' < 'm'); pp_BankID is empty.
    const byHand = 'z3s2xt5v0s&150000&EN&MC12345&T20240101&extra';
    const expected = createHmac('sha256', salt).update(byHand).digest('hex');
    expect(jazzCashSecureHash(fields, salt)).toBe(expected);
  });

  it('when the hash arrives in upper case, it still verifies; when a value changes, it does not', () => {
    const signed = signJazzCashFields({ pp_Amount: '100', pp_TxnRefNo: 'T1' }, salt);
    expect(verifyJazzCashHash({ ...signed, pp_SecureHash: signed.pp_SecureHash!.toUpperCase() }, salt)).toBe(true);
    expect(verifyJazzCashHash({ ...signed, pp_Amount: '101' }, salt)).toBe(false);
    expect(verifyJazzCashHash({ ...signed, pp_SecureHash: 'abc' }, salt)).toBe(false);
    expect(verifyJazzCashHash({ pp_Amount: '100' }, salt)).toBe(false);
  });
});

describe('JazzCash dates', () => {
  it('when formatting an instant, the date is Karachi wall-clock time (UTC+5) as YYYYMMDDHHmmss', () => {
    const at = new Date('2024-12-31T20:30:05Z');
    expect(jazzCashDateTime(at)).toBe('20250101013005');
    expect(parseJazzCashDateTime('20250101013005')?.toISOString()).toBe(at.toISOString());
    expect(parseJazzCashDateTime('2025-01-01')).toBeUndefined();
  });
});

describe('JazzCash callback verification', () => {
  const now = new Date('2025-03-01T10:00:00Z');
  const callback = (at: Date) =>
    buildJazzCashCallback(
      { code: '000', message: 'ok', txnRef: 'TABC', amount: 150000, txnDateTime: jazzCashDateTime(at) },
      'MC12345',
      salt,
    );

  it('when the callback is signed and recent, it is ok', () => {
    expect(verifyJazzCashCallback(callback(new Date(now.getTime() - 60_000)), salt, now, 600_000)).toBe('ok');
  });

  it('when a field of the callback is altered, it is a bad_signature', () => {
    const forged = { ...callback(now), pp_ResponseCode: '000', pp_Amount: '1' };
    expect(verifyJazzCashCallback(forged, salt, now, 600_000)).toBe('bad_signature');
    expect(verifyJazzCashCallback(callback(now), 'other-salt', now, 600_000)).toBe('bad_signature');
  });

  it('when the callback is older than the allowed age, it is stale', () => {
    expect(verifyJazzCashCallback(callback(new Date(now.getTime() - 3_600_000)), salt, now, 600_000)).toBe('stale');
  });
});
