import { describe, expect, it } from 'vitest';
import { MAX_HEAD_BYTES, readRequestHead, readResponseHead } from './http-heads.ts';

const read = (text: string, from = 0) => readRequestHead(Buffer.from(text, 'latin1'), from);
const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

describe('the strict request-head reader', () => {
  it('reads a plain head: method, target, lower-case names, trimmed values, length, size', () => {
    const text = head(['POST /api/orders?x=1 HTTP/1.1', 'Host: shop', 'Content-Length: 12', 'X-Thing:  a b ']);
    expect(read(`${text}{"items":[]}`)).toEqual({
      method: 'POST',
      url: '/api/orders?x=1',
      headers: { host: 'shop', 'content-length': '12', 'x-thing': 'a b' },
      bodyLength: 12,
      close: false,
      size: text.length,
    });
  });

  it('reads the head that starts where it is told, and notes Connection: close among other tokens', () => {
    const first = head(['GET /a HTTP/1.1', 'Host: x']);
    const second = head(['GET /b HTTP/1.1', 'Host: x', 'Connection: keep-alive, Close']);
    expect(read(first + second, first.length)).toMatchObject({ url: '/b', close: true, size: second.length });
  });

  it('waits for the blank line: a head cut anywhere is partial', () => {
    const text = head(['GET /api/products HTTP/1.1', 'Host: x']);
    for (let cut = 0; cut < text.length; cut++) expect(read(text.slice(0, cut))).toBe('partial');
  });

  it('leaves a head longer than node:http allows to node:http, finished or not', () => {
    const long = `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(MAX_HEAD_BYTES)}`;
    expect(read(long)).toBe('other');
    expect(read(`${long}\r\n\r\n`)).toBe('other');
  });

  it.each([
    ['HTTP/1.0', head(['GET / HTTP/1.0', 'Host: x'])],
    ['an absolute-form target', head(['GET http://x/ HTTP/1.1', 'Host: x'])],
    ['an unusual method', head(['OPTIONS /api/orders HTTP/1.1', 'Host: x'])],
    ['a lower-case method', head(['get / HTTP/1.1', 'Host: x'])],
    ['two spaces in the request line', head(['GET  / HTTP/1.1', 'Host: x'])],
    ['no Host', head(['GET / HTTP/1.1', 'Accept: */*'])],
    ['Transfer-Encoding', head(['POST / HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked'])],
    [
      'Content-Length with Transfer-Encoding',
      head(['POST / HTTP/1.1', 'Host: x', 'Content-Length: 3', 'Transfer-Encoding: chunked']),
    ],
    ['two Content-Lengths', head(['POST / HTTP/1.1', 'Host: x', 'Content-Length: 3', 'Content-Length: 3'])],
    ['a signed Content-Length', head(['POST / HTTP/1.1', 'Host: x', 'Content-Length: +3'])],
    ['a list as Content-Length', head(['POST / HTTP/1.1', 'Host: x', 'Content-Length: 3, 3'])],
    ['an empty Content-Length', head(['POST / HTTP/1.1', 'Host: x', 'Content-Length:'])],
    ['a repeated header', head(['GET / HTTP/1.1', 'Host: x', 'Accept: a', 'accept: b'])],
    ['Expect', head(['POST / HTTP/1.1', 'Host: x', 'Expect: 100-continue', 'Content-Length: 1'])],
    ['Upgrade', head(['GET / HTTP/1.1', 'Host: x', 'Upgrade: websocket', 'Connection: upgrade'])],
    ['a folded header line', head(['GET / HTTP/1.1', 'Host: x', 'X-A: one', ' two'])],
    ['a space before the colon', head(['GET / HTTP/1.1', 'Host: x', 'X-A : one'])],
    ['a name that is not a token', head(['GET / HTTP/1.1', 'Host: x', 'X(A): one'])],
    ['a line without a colon', head(['GET / HTTP/1.1', 'Host: x', 'nonsense'])],
    ['a bare LF', 'GET / HTTP/1.1\nHost: x\r\n\r\n'],
    ['a bare CR', 'GET / HTTP/1.1\r\nHost: x\rX-A: 1\r\n\r\n'],
    ['a NUL in a value', head(['GET / HTTP/1.1', 'Host: x', 'X-A: a\0b'])],
    ['a control character in the target', head(['GET /a\x01 HTTP/1.1', 'Host: x'])],
    ['bytes beyond ASCII', head(['GET / HTTP/1.1', 'Host: x', 'X-Name: \xe9'])],
    ['a prototype name', head(['GET / HTTP/1.1', 'Host: x', '__proto__: x'])],
  ])('leaves %s to node:http', (_what, text) => {
    expect(read(text)).toBe('other');
  });
});

const answer = (text: string) => readResponseHead(Buffer.from(text, 'latin1'), 0);

describe('the strict answer-head reader', () => {
  it('reads a plain answer: status, headers joined as node joins repeats, the length', () => {
    const text = head([
      'HTTP/1.1 201 Created',
      'Content-Length: 5',
      'Set-Cookie: a=1',
      'set-cookie: b=2',
      'Vary: a',
      'vary: b',
    ]);
    expect(answer(`${text}hello`)).toEqual({
      status: 201,
      headers: { 'content-length': '5', 'set-cookie': ['a=1', 'b=2'], vary: 'a, b' },
      length: 5,
      size: text.length,
    });
  });

  it('reads an answer with no length (the status may say there is no body) and one with an empty reason', () => {
    expect(answer(head(['HTTP/1.1 204 No Content']))).toMatchObject({ status: 204, length: undefined });
    expect(answer(head(['HTTP/1.1 200', 'Content-Length: 0']))).toMatchObject({ status: 200, length: 0 });
  });

  it.each([
    ['an interim answer', head(['HTTP/1.1 100 Continue'])],
    ['HTTP/1.0', head(['HTTP/1.0 200 OK', 'Content-Length: 1'])],
    ['a chunked body', head(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked'])],
    ['two lengths', head(['HTTP/1.1 200 OK', 'Content-Length: 1', 'Content-Length: 1'])],
    ['a length that is not a number', head(['HTTP/1.1 200 OK', 'Content-Length: 1x'])],
    ['bytes beyond ASCII', head(['HTTP/1.1 200 OK', 'Content-Length: 1', 'X-Name: \xe9'])],
    ['a prototype name', head(['HTTP/1.1 200 OK', '__proto__: x'])],
  ])('leaves %s to the full parser', (_what, text) => {
    expect(answer(text)).toBe('other');
  });
});
