// number-input: what an admin types as a price in rupees or as a count of goods, read exactly (no floating point).

/** The dearest price the catalogue takes: Rs 10 crore, 10^10 paisa (services/inventory/README.md). */
export const MAX_PRICE_PAISA = 10_000_000_000;
/** The most stock one creation or adjustment may name. */
export const MAX_QUANTITY = 1_000_000;

export type Parsed = { ok: true; value: number } | { ok: false; error: string };

const fail = (error: string): Parsed => ({ ok: false, error });

// Thousands as 1,499,000 or, as Pakistan also writes them, lakhs as 14,99,000; or no separators at all.
const WHOLE = /^(?:\d+|\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3})$/;

/**
 * parseRupees reads "1499", "1,499.50", "Rs 14,99,000" or "Rs. 5.5" as integer paisa (149950 for "1,499.50"):
 * the digits are read as a string, never as a float times 100. At most two decimals; more than 0, at most Rs 10 crore.
 */
export function parseRupees(text: string): Parsed {
  const typed = text.trim().replace(/^rs\.?\s*/i, '');
  if (!typed) return fail('Enter a price in rupees, such as 1499 or 1,499.50.');
  if (/^[-−]/.test(typed)) return fail('A price cannot be negative.');
  const match = /^([\d,]+)(?:\.(\d*))?$/.exec(typed);
  if (!match || !WHOLE.test(match[1])) return fail('Enter a price in rupees, such as 1499 or 1,499.50.');
  const decimals = match[2] ?? '';
  if (match[2] !== undefined && decimals.length === 0) return fail('Write the paisa after the point, or leave it out.');
  if (decimals.length > 2) return fail('A price has at most two decimals (paisa).');
  const paisa = BigInt(match[1].replaceAll(',', '')) * 100n + BigInt(decimals.padEnd(2, '0'));
  if (paisa === 0n) return fail('A price must be more than Rs 0.');
  if (paisa > BigInt(MAX_PRICE_PAISA)) return fail('A price can be at most Rs 100,000,000.00 (10 crore).');
  return { ok: true, value: Number(paisa) };
}

/** paisaAsInput writes integer paisa the way parseRupees reads them back: 149950 → "1499.50", 149900 → "1499". */
export function paisaAsInput(paisa: number): string {
  const whole = Math.floor(paisa / 100);
  const rest = paisa % 100;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(2, '0')}`;
}

/** parseQuantity reads an opening stock: a whole number from 0 to 1,000,000 (thousands separators allowed). */
export function parseQuantity(text: string): Parsed {
  const typed = text.trim();
  if (!typed) return fail('Enter how many are on hand (0 or more).');
  if (!WHOLE.test(typed)) return fail('Enter a whole number of items, 0 or more.');
  const value = Number(typed.replaceAll(',', ''));
  if (value > MAX_QUANTITY) return fail('At most 1,000,000 at a time.');
  return { ok: true, value };
}

/** parseDelta reads a change of stock: "+12" or "12" adds, "-3" removes; not 0, at most 1,000,000 either way. */
export function parseDelta(text: string): Parsed {
  const match = /^([-+−]?)\s*(.*)$/.exec(text.trim());
  const digits = match?.[2] ?? '';
  if (!digits) return fail('Enter how many to add (12) or remove (-3).');
  if (!WHOLE.test(digits)) return fail('Enter a whole number: 12 adds twelve, -3 removes three.');
  const size = Number(digits.replaceAll(',', ''));
  if (size === 0) return fail('The change cannot be 0.');
  if (size > MAX_QUANTITY) return fail('At most 1,000,000 at a time.');
  return { ok: true, value: match?.[1] === '-' || match?.[1] === '−' ? -size : size };
}
