// idempotency: one Idempotency-Key per order attempt, reused only when the very same order is sent again
// (a retry after a lost answer), so a retry can never charge twice and a changed order is never refused as a reuse.

/** randomKey makes a random UUID-shaped key; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function randomKey(
  random: (bytes: Uint8Array<ArrayBuffer>) => void = (b) => void crypto.getRandomValues(b),
): string {
  const b = new Uint8Array(16);
  random(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function createKeyKeeper(make: () => string = () => randomKey()) {
  let current: { body: string; key: string } | null = null;
  return {
    /** keyFor answers the key to send this body with: the same as last time for the same unanswered body. */
    keyFor(body: unknown): string {
      const text = JSON.stringify(body);
      if (!current || current.body !== text) current = { body: text, key: make() };
      return current.key;
    },
    /** settled forgets the key once the API has answered: the next attempt is a new order. */
    settled() {
      current = null;
    },
  };
}
