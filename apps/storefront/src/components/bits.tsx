// Small shared pieces: product art, availability, alerts, status badges, dates.
import { SHOP_TIME_ZONE } from '@bazaar/web-kit/shop-time';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** ProductArt: a tile coloured from the sku with the product's initials, since the catalogue has no photos. */
export function ProductArt({
  sku,
  name,
  size = 'card',
}: {
  sku: string;
  name: string;
  size?: 'card' | 'large' | 'small';
}) {
  let hash = 0;
  for (const c of sku) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  const initials = name
    .split(/[\s,-]+/)
    .filter((w) => /^[A-Za-z]/.test(w))
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join('');
  return (
    <div class={`art art--${size}`} style={{ '--hue': String(hue) }} aria-hidden="true">
      <span>{initials}</span>
    </div>
  );
}

/** Availability says how many are left; `compact` is for narrow product cards. */
export function Availability({ available, compact = false }: { available: number; compact?: boolean }) {
  if (available <= 0) return <span class="stock stock--out">Out of stock</span>;
  if (available <= 10) return <span class="stock stock--low">Only {available} left</span>;
  return <span class="stock stock--in">{compact ? `${available} in stock` : `In stock (${available} available)`}</span>;
}

/**
 * Alert: a message that screen readers hear at once. Focus moves to it whenever `focusOn` changes (pass the
 * number of the attempt), so that after a failed submit keyboard users land on what went wrong.
 */
export function Alert({
  kind = 'error',
  children,
  focusOn,
}: {
  kind?: 'error' | 'info' | 'success' | 'warning';
  children: ComponentChildren;
  focusOn?: number;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focusOn !== undefined) ref.current?.focus();
  }, [focusOn]);
  return (
    <div
      ref={ref}
      class={`alert alert--${kind}`}
      role={kind === 'error' || kind === 'warning' ? 'alert' : 'status'}
      tabIndex={-1}
    >
      {children}
    </div>
  );
}

const statusWords: Record<string, string> = {
  PENDING: 'Awaiting payment',
  CONFIRMED: 'Confirmed',
  SHIPPED: 'Shipped',
  DELIVERED: 'Delivered',
  REJECTED: 'Not placed',
  CANCELLED: 'Cancelled',
  CREATED: 'Booked with courier',
  PICKED_UP: 'Picked up',
  IN_TRANSIT: 'In transit',
  OUT_FOR_DELIVERY: 'Out for delivery',
};
export const statusLabel = (status: string) => statusWords[status] ?? status.replace(/_/g, ' ').toLowerCase();

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge--${status.toLowerCase()}`}>{statusLabel(status)}</span>;
}

const dateFormat = new Intl.DateTimeFormat('en-PK', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: SHOP_TIME_ZONE,
});
export function When({ at }: { at: string }) {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return null;
  return <time dateTime={at}>{dateFormat.format(date)}</time>;
}

export const shortOrderId = (id: string) => id.replace(/^ord_/, '').slice(0, 8).toUpperCase();

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
