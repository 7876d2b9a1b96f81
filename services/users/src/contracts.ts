// What other services may rely on: the token's claims, the events the users service publishes, and the header it
// reads the client's address from.

export const tokenClaims = { issuer: 'bazaar-users', audience: 'bazaar', algorithm: 'ES256' } as const;

export const UserRegistered = 'UserRegistered';
export type UserRegisteredData = { userId: string; email: string; name: string; city: string | null };

/**
 * The client's address as the gateway judged it (the one its rate limit counts), which the gateway sets on every
 * forwarded request in place of any the client sent; sign-ups and logins take turns at hashing by it.
 */
export const clientAddressHeader = 'x-client-address';
