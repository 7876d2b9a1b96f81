// City rates in the shipping database, seeded by migration.
import type { Row, Tx } from '@bazaar/kit/database';
import { money } from '@bazaar/kit/server';
import type { CityRate } from '../domain/rate.ts';

const toRate = (r: Row): CityRate => ({ city: r.city, fee: money(r.fee) });

export const ratesRepo = {
  /** Cheapest first, then by name. */
  async all(q: Tx): Promise<CityRate[]> {
    return (await q.query('SELECT city, fee FROM city_rates ORDER BY fee, city')).map(toRate);
  },

  /** The rate of a city given by its normalized (lower-case) name. */
  async byCity(q: Tx, normalized: string): Promise<CityRate | null> {
    const [row] = await q.query('SELECT city, fee FROM city_rates WHERE lower(city) = $1', [normalized]);
    return row ? toRate(row) : null;
  },
};
