import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildJazzCashCallback,
  jazzCashDateTime,
  jazzCashOutcome,
  jazzCashPaisa,
  jazzCashSecureHash,
  mwalletFields,
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

describe('JazzCash response codes', () => {
  it('when a debit answers a code we do not know, the outcome is unknown, so the caller inquires', () => {
    for (const code of ['157', '199', '121', '999', '']) expect(jazzCashOutcome(code)).toBe('unknown');
  });

  it('when a debit answers a code we know to be a refusal, the outcome is declined', () => {
    for (const code of ['110', '402', '409', '412']) expect(jazzCashOutcome(code)).toBe('declined');
    expect(jazzCashOutcome('000')).toBe('approved');
  });
});

describe('JazzCash wallet request', () => {
  const request = {
    merchantId: 'MC12345',
    password: 'p',
    txnRef: 'T1',
    amount: 100,
    wallet: '03001234567',
    billReference: 'ord-1',
    description: 'd',
    at: new Date('2025-01-01T00:00:00Z'),
    expiry: new Date('2025-01-01T01:00:00Z'),
  };

  it('when no CNIC is given, the request is version 1.1 and carries no pp_CNIC', () => {
    const fields = mwalletFields(request);
    expect(fields.pp_Version).toBe('1.1');
    expect(fields).not.toHaveProperty('pp_CNIC');
  });

  it('when a CNIC is given, the request is version 2.0 and carries it in pp_CNIC', () => {
    expect(mwalletFields({ ...request, cnic: '345678' })).toMatchObject({ pp_Version: '2.0', pp_CNIC: '345678' });
  });

  it('when an amount is not integer paisa of at most 15 digits, it is not read', () => {
    for (const amount of ['0', '01', '1.5', '1e3', '1'.repeat(16), '1'.repeat(23), 100])
      expect(jazzCashPaisa(amount)).toBeUndefined();
    expect(jazzCashPaisa('9'.repeat(15))).toBe(999_999_999_999_999);
  });
});
