// format: durations, times, sizes, ages and money as an operator reads them.
import { SHOP_TIME_ZONE, SHOP_ZONE_NAME } from '@bazaar/web-kit/shop-time';

/** ZONE labels a time that stands alone (a column, a tooltip): every time here is Pakistan time. */
export const ZONE = SHOP_ZONE_NAME;

/** ms: 0.42 ms, 12.3 ms, 152 ms, 1.52 s, 2 min 5 s. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value < 1) return `${value.toFixed(2)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(2)} s`;
  const minutes = Math.floor(value / 60_000);
  return `${minutes} min ${Math.round((value % 60_000) / 1000)} s`;
}

/** The parts of a moment on the shop's clock: the console shows Pakistan time, as the storefront does. */
const shopParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: SHOP_TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
});

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** shopTime: a moment's day and time of day in Pakistan, whatever the browser's own time zone. */
function shopTime(d: Date) {
  const parts = shopParts.formatToParts(d);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    time: `${pad(part('hour'))}:${pad(part('minute'))}`,
    seconds: pad(part('second')),
  };
}

/** clock: the time of day in Pakistan with milliseconds, 14:03:07.123, for log lines. */
export function clock(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const t = shopTime(d);
  return `${t.time}:${t.seconds}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** ago: how long before `now`, in the largest sensible unit. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ago`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * when: a moment in Pakistan time (PKT), the one way the console writes one: 14:03:07 when it is today there, else
 * 7 Dec 14:03, or 7 Dec 2025 14:03 in another year.
 */
export function when(at: string | number, now = new Date()): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const t = shopTime(d);
  const today = shopTime(now);
  if (t.year === today.year && t.month === today.month && t.day === today.day) return `${t.time}:${t.seconds}`;
  const day = `${t.day} ${MONTHS[t.month - 1]}`;
  return t.year === today.year ? `${day} ${t.time}` : `${day} ${t.year} ${t.time}`;
}

/** rupees: integer paisa as rupees with thousands separators and both decimals, 149900 PKR → Rs 1,499.00. */
export function rupees({ amount, currency }: { amount: number; currency: string }): string {
  if (!Number.isSafeInteger(amount)) return '–';
  const whole = String(Math.floor(Math.abs(amount) / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const figure = `${amount < 0 ? '-' : ''}${whole}.${String(Math.abs(amount) % 100).padStart(2, '0')}`;
  return currency === 'PKR' ? `Rs ${figure}` : `${currency} ${figure}`;
}

/** bytes: 512 B, 12.3 MB. */
export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** The standard fields of a log line; the rest are shown as its facts. */
const standard = new Set(['time', 'level', 'service', 'traceId', 'spanId', 'requestId', 'msg', 'pid', 'hostname']);

/** fields renders a log line's own facts as `key=value` pairs. */
export function fields(line: Record<string, unknown>): string {
  return Object.entries(line)
    .filter(([k, v]) => !standard.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('  ');
}
