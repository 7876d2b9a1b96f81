import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { RequestHead } from '../domain/http-heads.ts';
import { LaneAnswer, type LaneConnection } from './lane-exchange.ts';

const request: RequestHead = { method: 'GET', url: '/api/orders', headers: {}, bodyLength: 0, close: false, size: 0 };

function answerOn() {
  const written: string[] = [];
  const socket = {
    writable: true,
    writableNeedDrain: false,
    write: (chunk: string, _encoding?: string, done?: () => void) => {
      written.push(chunk);
      done?.();
      return true;
    },
    cork() {},
    uncork() {},
  } as unknown as Socket;
  const connection: LaneConnection = { socket, mustClose: () => false, answered() {}, keepAlive: 'timeout=72' };
  return { answer: new LaneAnswer(connection, request), written };
}

describe('a fast-lane answer', () => {
  it('writes the head as node:http would, values checked and the framing added', () => {
    const { answer, written } = answerOn();
    answer.setHeader('X-Set', 'first');
    answer.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], 'content-length': 2 });
    answer.end('{}', 'latin1');
    expect(written.join('')).toMatch(
      /^HTTP\/1\.1 200 OK\r\nx-set: first\r\ncontent-type: application\/json\r\nset-cookie: a=1\r\nset-cookie: b=2\r\ncontent-length: 2\r\ndate: .+ GMT\r\nconnection: keep-alive\r\nkeep-alive: timeout=72\r\n\r\n\{\}$/,
    );
  });

  it('reads its framing headers in any case: a given Date and Content-Length are kept, Connection: Close ends it', () => {
    const { answer, written } = answerOn();
    answer.writeHead(503, { Date: 'then', 'Content-Length': 0, Connection: 'Close', 'Keep-Alive': 'timeout=1' });
    answer.end();
    expect(written.join('')).toBe(
      'HTTP/1.1 503 Service Unavailable\r\nDate: then\r\nContent-Length: 0\r\nconnection: close\r\n\r\n',
    );
  });

  it.each([
    ['a CRLF', 'a\r\nx-role: admin'],
    ['a NUL', 'a\0b'],
    ['a control character in a list', ['fine', 'a\x01b']],
  ])('refuses a header value with %s, naming the header, before anything is sent', (_what, value) => {
    const { answer, written } = answerOn();
    expect(() => answer.writeHead(200, { 'x-ok': 'yes', 'x-bad': value })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_CHAR', message: 'The header x-bad holds a control character.' }),
    );
    expect(answer.headersSent).toBe(false);
    expect(written).toEqual([]);
  });
});
