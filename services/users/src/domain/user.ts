// A user as the API shows it, and the errors of this bounded context.
import { AppError } from '@bazaar/kit/server';

export type Role = 'customer' | 'admin';

export type User = {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  city: string | null;
  role: Role;
  createdAt: string;
};

export const emailTaken = () => new AppError('EMAIL_TAKEN', 409, 'An account with this email already exists.');
export const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 401, 'The email or password is wrong.');
export const lockedOut = (retryAfterSeconds: number) =>
  new AppError(
    'RATE_LIMITED',
    429,
    `Too many failed logins for this account; try again in ${inWords(retryAfterSeconds)}.`,
    { retryAfter: retryAfterSeconds },
  );

/** inWords says a wait as a person would: "1 second", "45 seconds", "5 minutes" (rounded up), "2 hours". */
export function inWords(seconds: number): string {
  const [n, unit] =
    seconds < 60
      ? [Math.max(1, Math.ceil(seconds)), 'second']
      : seconds < 3600
        ? [Math.ceil(seconds / 60), 'minute']
        : [Math.ceil(seconds / 3600), 'hour'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** Emails compare case-insensitively: one account per mailbox. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();
