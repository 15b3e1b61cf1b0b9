/**
 * A handset number as device links use it (DECT `tel:<number>`): 1–32 of 0–9 * # +. One
 * definition for the configuration, the HTTP API and the adapters.
 */
export const HANDSET_NUMBER_SOURCE = '[0-9*#+]{1,32}';
export const HANDSET_NUMBER = new RegExp(`^${HANDSET_NUMBER_SOURCE}$`);
/** A `tel:` address of a handset number, the number captured; the scheme in any case. */
export const TEL_ADDRESS = new RegExp(`^tel:(${HANDSET_NUMBER_SOURCE})$`, 'i');
