import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from './provider.ts';
import {
  createWalletCaller,
  debitResult,
  type InquiryCodes,
  inquiryAnswer,
  inquiryStatus,
  type Said,
  type Trust,
} from './wallet-calls.ts';

// A provider that answers each path its own way, to see what the shared plumbing makes of it.
const answers: Record<string, [number, object]> = {
  '/ok': [200, { code: '00', ref: 'T1', status: 'DONE' }],
  '/foreign': [200, { code: '00', ref: 'T2' }],
  '/refused': [403, { code: '99' }],
  '/odd-status': [200, { code: '00', ref: 'T1', status: 'SHRUG' }],
};
let server: Server;
let baseUrl = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const [status, body] = answers[req.url ?? ''] ?? [404, {}];
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

type Answer = { code: string; ref: string; status?: string };
const trust = (body: Record<string, unknown>): Trust<Answer> =>
  body.ref === 'T1' ? { answer: body as Answer } : { distrust: 'response names another transaction' };
const said = (a: Answer): Said => ({ code: a.code, message: '', status: a.status });
const codes: InquiryCodes = {
  success: '00',
  notFound: '04',
  status: { paid: 'DONE', pending: 'WAIT', failed: 'NO', reversed: 'BACK' },
};
const verdict = (a: Answer) => ({ outcome: 'approved' as const, code: a.code, message: '', raw: { code: a.code } });

describe('the wallet adapters’ shared plumbing', () => {
  const caller = () => createWalletCaller({ baseUrl, retries: 1, backoffMs: 1 });

  it('an answer the adapter trusts is the provider’s verdict', async () => {
    expect(debitResult(await caller().send('/ok', {}, trust), 'T1', verdict)).toEqual({
      outcome: 'approved',
      reference: 'T1',
      raw: { code: '00' },
    });
  });

  it('an answer the adapter distrusts is unavailable, with its reason, never approved', async () => {
    expect(debitResult(await caller().send('/foreign', {}, trust), 'T1', verdict)).toEqual({
      outcome: 'unavailable',
      message: 'response names another transaction',
    });
  });

  it('an answer other than 200 is unavailable', async () => {
    expect(await caller().send('/refused', {}, trust)).toEqual({ ok: false, message: 'provider answered HTTP 403' });
  });

  it('an inquiry status nobody knows is PROVIDER_UNAVAILABLE, never read as pending', async () => {
    const answer = inquiryAnswer(await caller().send('/odd-status', {}, trust), said, codes);
    expect(() => inquiryStatus('T1', said(answer), codes)).toThrow(ProviderUnavailableError);
  });

  it('an inquiry without a trusted answer is PROVIDER_UNAVAILABLE', async () => {
    const res = await caller().send('/foreign', {}, trust);
    expect(() => inquiryAnswer(res, said, codes)).toThrow(ProviderUnavailableError);
  });
});
