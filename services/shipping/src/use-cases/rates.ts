// What shipping costs: every city's fee for the storefront, and one city's fee for pricing an order.
import type { Db } from '@bazaar/kit/database';
import { ratesRepo } from '../data/rates-repo.ts';
import { type CityRate, normalizeCity, unknownCity } from '../domain/rate.ts';

export async function listRates(db: Db): Promise<{ items: CityRate[] }> {
  return { items: await ratesRepo.all(db) };
}

export async function rateFor(db: Db, city: string): Promise<CityRate> {
  const rate = await ratesRepo.byCity(db, normalizeCity(city));
  if (!rate) throw unknownCity(city);
  return rate;
}
