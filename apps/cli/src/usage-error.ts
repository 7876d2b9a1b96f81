// UsageError: a command line the bazaar command cannot read. It exits 2 with a line that says what is wrong.
export class UsageError extends Error {}
