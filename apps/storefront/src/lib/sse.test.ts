import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from './sse.ts';

function parse(chunks: string[]) {
  const events: SseEvent[] = [];
  const parser = createSseParser((e) => events.push(e));
  for (const chunk of chunks) parser.feed(chunk);
  parser.end();
  return { events, parser };
}

const stream =
  'id: 1\nevent: status\ndata: {"status":"PENDING","at":"2026-01-01T00:00:00Z"}\n\n' +
  ': keep-alive\n\n' +
  'id: 2\nevent: status\ndata: {"status":"CONFIRMED","at":"2026-01-01T00:00:01Z"}\n\n';

describe('SSE parser', () => {
  it('parses the order stream: typed events with ids, comments ignored', () => {
    const { events, parser } = parse([stream]);
    expect(events).toEqual([
      { type: 'status', data: '{"status":"PENDING","at":"2026-01-01T00:00:00Z"}', id: '1' },
      { type: 'status', data: '{"status":"CONFIRMED","at":"2026-01-01T00:00:01Z"}', id: '2' },
    ]);
    expect(parser.lastEventId).toBe('2');
  });

  it('gives the same events however the text is split into chunks', () => {
    const whole = parse([stream]).events;
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
      expect(parse(chunks).events).toEqual(whole);
    }
  });

  it('accepts CRLF and CR line endings, even with CRLF split across chunks', () => {
    const crlf = stream.replace(/\n/g, '\r\n');
    const cr = stream.replace(/\n/g, '\r');
    const whole = parse([stream]).events;
    expect(parse([crlf]).events).toEqual(whole);
    expect(parse([cr]).events).toEqual(whole);
    const at = crlf.indexOf('\r\n');
    expect(parse([crlf.slice(0, at + 1), crlf.slice(at + 1)]).events).toEqual(whole);
  });

  it('joins multi-line data, defaults the type to message and keeps values without the space', () => {
    const { events } = parse(['data:first\ndata: second\n\nevent:ping\ndata\n\n']);
    expect(events).toEqual([
      { type: 'message', data: 'first\nsecond', id: undefined },
      { type: 'ping', data: '', id: undefined },
    ]);
  });

  it('drops an event the stream cut off before its blank line, and a leading BOM', () => {
    const { events } = parse(['\uFEFFdata: whole\n\ndata: cut']);
    expect(events).toEqual([{ type: 'message', data: 'whole', id: undefined }]);
  });

  it('reads retry only when it is a number, and ignores unknown fields', () => {
    const { parser, events } = parse(['retry: 1500\nretry: soon\nfoo: bar\n\n']);
    expect(parser.retry).toBe(1500);
    expect(events).toEqual([]);
  });
});
