/**
 * Record → column value helpers of the alarm store's modules (kysely-store.ts and its
 * plan, step and query modules): JSON columns as text, epoch milliseconds as timestamps.
 */

/** A value as the text of a json/jsonb column. */
export const json = (v: unknown): string => JSON.stringify(v);

/** Epoch milliseconds as a timestamp (taken as they are: no truncation). */
export const date = (t: number): Date => new Date(t);
