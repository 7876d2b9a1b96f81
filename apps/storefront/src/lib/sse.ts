// sse: a Server-Sent Events parser (the WHATWG event-stream format) fed with text chunks as they arrive.

export type SseEvent = { type: string; data: string; id: string | undefined };

export type SseParser = {
  /** feed parses the next chunk of decoded text; lines may be split anywhere across chunks. */
  feed(chunk: string): void;
  /** end flushes a trailing line; an event not closed by a blank line is dropped, as the format says. */
  end(): void;
  /** lastEventId is the last `id:` seen, to resume from on reconnect. */
  readonly lastEventId: string | undefined;
  /** retry is the reconnection delay the server asked for, in ms. */
  readonly retry: number | undefined;
};

export function createSseParser(onEvent: (event: SseEvent) => void): SseParser {
  let buffer = '';
  let first = true;
  let data: string[] = [];
  let type = '';
  let lastEventId: string | undefined;
  let retry: number | undefined;

  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) onEvent({ type: type || 'message', data: data.join('\n'), id: lastEventId });
      data = [];
      type = '';
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        data.push(value);
        break;
      case 'event':
        type = value;
        break;
      case 'id':
        if (!value.includes('\0')) lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) retry = Number(value);
        break;
    }
  };

  return {
    feed(chunk) {
      buffer += chunk;
      if (first && buffer.length > 0) {
        if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
        first = false;
      }
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c !== '\n' && c !== '\r') continue;
        // A CR at the very end may be the first half of CRLF: wait for the next chunk to tell.
        if (c === '\r' && i === buffer.length - 1) break;
        line(buffer.slice(start, i));
        if (c === '\r' && buffer[i + 1] === '\n') i++;
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
    end() {
      if (buffer.endsWith('\r')) line(buffer.slice(0, -1));
      buffer = '';
      data = [];
      type = '';
    },
    get lastEventId() {
      return lastEventId;
    },
    get retry() {
      return retry;
    },
  };
}
