/**
 * The console's messages for Administration: users, user groups, configuration, access log, in the five languages.
 * English defines the keys (each starts with 'admin.'); every language has exactly those.
 */
import type { AreaMessages } from '../i18n/i18n.ts';

const EN = {} as const;

export const adminMessages: AreaMessages<keyof typeof EN> = {
  EN,
  DE: {},
  DA: {},
  FR: {},
  NL: {},
};
