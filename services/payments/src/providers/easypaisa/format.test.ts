import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildEasyPaisaCallback,
  credentialsHeader,
  defaultEmailAddress,
  easyPaisaDateTime,
  easyPaisaHashedRequest,
  easyPaisaOutcome,
  maOptionalFields,
  maTransactionBody,
  paisaToRupees,
  readCredentials,
  rupeesToPaisa,
  verifyEasyPaisaCallback,
  verifyEasyPaisaHashedRequest,
} from './format.ts';

const hashKey = '0123456789ABCDEF'; // 16 bytes: AES-128

describe('EasyPaisa amounts and headers', () => {
  it('when paisa cross the edge, they become rupees with two decimals and come back unchanged', () => {
    expect(paisaToRupees(149_900)).toBe('1499.00');
    expect(paisaToRupees(5)).toBe('0.05');
    expect(rupeesToPaisa('1499.00')).toBe(149_900);
    expect(rupeesToPaisa('1e3')).toBeUndefined();
  });

  it('when an amount is not rupees with exactly two decimals in a string, or too long for safe paisa, it is not read', () => {
    for (const amount of ['10', '10.5', 10.5, 1050, '010.00', '-1.00', '12345678901234.00'])
      expect(rupeesToPaisa(amount)).toBeUndefined();
    expect(rupeesToPaisa('1234567890123.99')).toBe(123_456_789_012_399);
  });

  it('when credentials are sent, the header is base64 of username:password', () => {
    const { Credentials } = credentialsHeader('shop', 'p:w');
    expect(Credentials).toBe(Buffer.from('shop:p:w').toString('base64'));
    expect(readCredentials(Credentials)).toEqual({ username: 'shop', password: 'p:w' });
  });

  it('when an MA body is built, it carries the v4 fields with tokenExpiry in Karachi time', () => {
    const body = maTransactionBody({
      storeId: '1234',
      orderId: 'TABC',
      amount: 100,
      wallet: '03001234567',
      email: 'a@b.pk',
      tokenExpiry: new Date('2025-01-01T19:00:00Z'),
      order: 'ord-1',
    });
    expect(body).toEqual({
      storeId: '1234',
      orderId: 'TABC',
      transactionAmount: '1.00',
      transactionType: 'MA',
      mobileAccountNo: '03001234567',
      emailAddress: 'a@b.pk',
      tokenExpiry: '20250102 000000',
      optional1: 'ord-1',
    });
  });
});

describe('EasyPaisa assumptions kept in format', () => {
  it('when no email is given, the MA body carries the default email, our order id in optional1 and the description in optional2', () => {
    const body = maTransactionBody({
      storeId: '1234',
      orderId: 'TABC',
      amount: 100,
      wallet: '03001234567',
      tokenExpiry: new Date('2025-01-01T19:00:00Z'),
      order: 'ord-1',
      description: 'Bazaar order ord-1',
    });
    expect(body).toMatchObject({
      emailAddress: defaultEmailAddress,
      [maOptionalFields.order]: 'ord-1',
      [maOptionalFields.description]: 'Bazaar order ord-1',
    });
    expect(defaultEmailAddress).toBe('payments@bazaar.pk');
    expect(maOptionalFields.order).toBe('optional1');
  });
});

describe('EasyPaisa response codes', () => {
  it('when a debit answers a code we do not know, the outcome is unknown, so the caller inquires', () => {
    for (const code of ['0001', '0003', '0099', '9999', '']) expect(easyPaisaOutcome(code)).toBe('unknown');
  });

  it('when a debit answers a code we know to be a refusal, the outcome is declined', () => {
    for (const code of ['0002', '0006', '0010', '0013', '0020', '0021'])
      expect(easyPaisaOutcome(code)).toBe('declined');
    expect(easyPaisaOutcome('0000')).toBe('approved');
  });
});

describe('EasyPaisa merchantHashedReq', () => {
  it('when a request is hashed, it is base64 AES-ECB of the sorted key=value pairs without empty fields', () => {
    const fields = {
      storeId: '1234',
      amount: '10.0',
      postBackURL: 'https://x.pk/back',
      orderRefNum: 'T1',
      emailAddr: '',
    };
    const hashed = easyPaisaHashedRequest(fields, hashKey);
    const decipher = createDecipheriv('aes-128-ecb', Buffer.from(hashKey), null);
    const plain = Buffer.concat([decipher.update(Buffer.from(hashed, 'base64')), decipher.final()]).toString();
    expect(plain).toBe('amount=10.0&orderRefNum=T1&postBackURL=https://x.pk/back&storeId=1234');
    expect(verifyEasyPaisaHashedRequest({ ...fields, merchantHashedReq: hashed }, hashKey)).toBe(true);
    expect(verifyEasyPaisaHashedRequest({ ...fields, amount: '1.0', merchantHashedReq: hashed }, hashKey)).toBe(false);
  });

  it('when the hash key is not 16, 24 or 32 bytes, hashing refuses', () => {
    expect(() => easyPaisaHashedRequest({ a: '1' }, 'short')).toThrow(TypeError);
  });
});

describe('EasyPaisa callback verification', () => {
  const now = new Date('2025-03-01T10:00:00Z');
  const fields = { orderRefNumber: 'TABC', paymentStatus: 'PAID', storeId: '1234' };

  it('when the callback is signed and recent, it is ok', () => {
    const cb = buildEasyPaisaCallback(fields, new Date(now.getTime() - 30_000), hashKey);
    expect(cb.transactionDateTime).toBe(easyPaisaDateTime(new Date(now.getTime() - 30_000)));
    expect(verifyEasyPaisaCallback(cb, hashKey, now, 600_000)).toBe('ok');
  });

  it('when a field is altered, it is a bad_signature; when it is old, it is stale', () => {
    const cb = buildEasyPaisaCallback(fields, now, hashKey);
    expect(verifyEasyPaisaCallback({ ...cb, paymentStatus: 'PAID ' }, hashKey, now, 600_000)).toBe('bad_signature');
    const old = buildEasyPaisaCallback(fields, new Date(now.getTime() - 3_600_000), hashKey);
    expect(verifyEasyPaisaCallback(old, hashKey, now, 600_000)).toBe('stale');
  });
});
