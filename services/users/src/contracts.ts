// What other services may rely on: the token's claims and the events the users service publishes.

export const tokenClaims = { issuer: 'bazaar-users', audience: 'bazaar', algorithm: 'ES256' } as const;

export const UserRegistered = 'UserRegistered';
export type UserRegisteredData = { userId: string; email: string; name: string; city: string | null };
