/**
 * The console's messages for Escalation plans: list, editor, what-if, in the five languages.
 * English defines the keys (each starts with 'plans.'); every language has exactly those.
 */
import type { AreaMessages } from '../i18n/i18n.ts';

const EN = {} as const;

export const planMessages: AreaMessages<keyof typeof EN> = {
  EN,
  DE: {},
  DA: {},
  FR: {},
  NL: {},
};
