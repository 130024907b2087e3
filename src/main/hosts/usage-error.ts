/** A failure the user caused on the command line (bad arguments, a bad document): its message, exit 2. */
export class UsageError extends Error {}
