// money: PKR amounts arrive as integer paisa; people read them as `Rs 1,499` (or `Rs 1,499.50` when paisa remain).

import type { Money } from '@bazaar/web-kit/api-types';

export type { Money };

/** formatPkr writes integer paisa as rupees with thousands separators: 149900 → `Rs 1,499`, 149950 → `Rs 1,499.50`. */
export function formatPkr(paisa: number): string {
  if (!Number.isSafeInteger(paisa)) return 'Rs —';
  const sign = paisa < 0 ? '-' : '';
  const abs = Math.abs(paisa);
  const rupees = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const rest = abs % 100;
  return `${sign}Rs ${rupees}${rest === 0 ? '' : `.${String(rest).padStart(2, '0')}`}`;
}

/** formatMoney formats a Money object; only PKR is sold, anything else shows its code. */
export function formatMoney(money: Money): string {
  if (money.currency !== 'PKR') return `${money.currency} ${(money.amount / 100).toFixed(2)}`;
  return formatPkr(money.amount);
}

/**
 * parseRupees reads what an admin types as a price (`1499`, `1,499.50`, `Rs 1499.5`) into integer paisa without
 * floating point; null when it is not a positive amount with at most two decimals.
 */
export function parseRupees(input: string): number | null {
  const text = input
    .trim()
    .replace(/^rs\.?\s*/i, '')
    .replace(/,/g, '');
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  const paisa = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return paisa > 0 ? paisa : null;
}
