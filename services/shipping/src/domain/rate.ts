// A city's shipping fee, how city names match, and the error for a city we do not deliver to.
import { AppError } from '@bazaar/kit/server';

// Published to orders in the contract; the domain speaks of the same thing, never a copy of it.
export type { CityRate } from '../contracts.ts';

/** City names match case-insensitively, trimmed, with inner runs of spaces taken as one. */
export const normalizeCity = (city: string) => city.trim().replace(/\s+/g, ' ').toLowerCase();

export const unknownCity = (city: string) =>
  new AppError('UNKNOWN_CITY', 404, `We do not deliver to "${city.trim().slice(0, 60)}" yet.`);
