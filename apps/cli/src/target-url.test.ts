// Where `bazaar verify` and `bazaar load` go without --url, and which --url they refuse before sending anything.
import { describe, expect, it } from 'vitest';
import { targetUrl } from './target-url.ts';
import { UsageError } from './usage-error.ts';

describe('the target of verify and load', () => {
  it('is the local gateway at PORT when no --url is given, 8080 when PORT is unset', () => {
    expect(targetUrl(undefined, {})).toBe('http://127.0.0.1:8080');
    expect(targetUrl(undefined, { PORT: '27080' })).toBe('http://127.0.0.1:27080');
  });

  it('is --url when given, without its trailing slashes, whatever PORT says', () => {
    expect(targetUrl('https://shop.example.pk/', { PORT: '27080' })).toBe('https://shop.example.pk');
    expect(targetUrl('https://shop.example.pk/', { PORT: 'abc' })).toBe('https://shop.example.pk');
  });

  it('names PORT and its value, not --url, when no --url is given and PORT is no port to go to', () => {
    for (const bad of ['abc', '99999', '-1', '0'])
      expect(() => targetUrl(undefined, { PORT: bad }), bad).toThrow(
        `PORT is "${bad}", not a port from 1 to 65535 (without --url, the target is 127.0.0.1:PORT)`,
      );
  });

  it('refuses a --url that is not an http(s) URL, as a usage error', () => {
    for (const bad of ['notaurl', 'ftp://shop.example.pk', 'localhost:8080'])
      expect(() => targetUrl(bad, {}), bad).toThrow(UsageError);
  });
});
