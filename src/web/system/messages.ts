/**
 * The console's messages for System: interfaces, monitor, restart, supervision alarms, in the five languages.
 * English defines the keys (each starts with 'system.'); every language has exactly those.
 */
import type { AreaMessages } from '../i18n/i18n.ts';

const EN = {} as const;

export const systemMessages: AreaMessages<keyof typeof EN> = {
  EN,
  DE: {},
  DA: {},
  FR: {},
  NL: {},
};
