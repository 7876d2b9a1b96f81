// karachi-time: both providers stamp requests with Pakistan wall-clock time, not UTC.

export type WallClock = { year: number; month: number; day: number; hour: number; minute: number; second: number };

// Made at the first payment, not at start-up: loading the time-zone data costs about 25 ms.
let formatter: Intl.DateTimeFormat | undefined;
const makeFormatter = () =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Karachi',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

// Requests stamped within one second share its reading: formatToParts is the costly part of a provider request.
let last: { second: number; clock: WallClock } | undefined;

export function karachiWallClock(at: Date): WallClock {
  const second = Math.floor(at.getTime() / 1000);
  if (last?.second === second) return { ...last.clock };
  formatter ??= makeFormatter();
  const parts = formatter.formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const clock = {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
  last = { second, clock };
  return { ...clock };
}

// fromKarachiWallClock: the instant at which Karachi clocks showed w (offset looked up, not hard-coded to +05:00).
export function fromKarachiWallClock(w: WallClock): Date {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const seen = karachiWallClock(new Date(guess));
  const offset = Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute, seen.second) - guess;
  return new Date(guess - offset);
}

export function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}
