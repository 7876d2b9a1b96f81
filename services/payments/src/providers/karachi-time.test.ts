import { describe, expect, it } from 'vitest';
import { fromKarachiWallClock, karachiWallClock } from './karachi-time.ts';

describe('Karachi wall-clock time', () => {
  it('reads an instant as Pakistan Standard Time, five hours ahead of UTC, across a date line', () => {
    expect(karachiWallClock(new Date('2026-12-06T20:30:15.250Z'))).toEqual({
      year: 2026,
      month: 12,
      day: 7,
      hour: 1,
      minute: 30,
      second: 15,
    });
  });

  it('gives every instant its own second, however the readings of one second are shared', () => {
    const early = karachiWallClock(new Date('2026-12-06T08:00:00.100Z'));
    early.hour = 99; // a caller changing its copy must not change the next reading
    expect(karachiWallClock(new Date('2026-12-06T08:00:00.900Z'))).toMatchObject({ hour: 13, second: 0 });
    expect(karachiWallClock(new Date('2026-12-06T08:00:01.000Z'))).toMatchObject({ hour: 13, second: 1 });
    expect(karachiWallClock(new Date('2025-01-01T00:00:00.900Z'))).toMatchObject({ year: 2025, hour: 5, second: 0 });
  });

  it('turns a wall-clock reading back into the instant', () => {
    const at = new Date('2026-03-01T18:59:59.000Z');
    expect(fromKarachiWallClock(karachiWallClock(at)).toISOString()).toBe(at.toISOString());
  });
});
