/**
 * How a device interface names the people an alarm notified (ESPA-X SS-NETW-NO / -NAME, ESPA
 * status reports): a Tocsin login is its phone and display name, `device:<n>` (or
 * `device:dect:<n>`) is handset number n, anything else (a contact) is shown by its id.
 */
import { loginKey } from '../domain/identity.ts';
import type { KyselyAlarmStore } from '../store/kysely-store.ts';

export interface Participant {
  readonly number?: string;
  readonly name?: string;
}

export function participantDescriber(store: KyselyAlarmStore): (recipient: string) => Promise<Participant> {
  return async (recipient) => {
    if (recipient.startsWith('device:')) return { number: recipient.slice('device:'.length).replace(/^dect:/, '') };
    if (recipient.includes(':')) return { name: recipient.slice(recipient.indexOf(':') + 1) };
    const user = await store.identity.findUserByLoginKey(loginKey(recipient));
    if (!user) return { name: recipient };
    const number = user.phone?.replace(/[\s()./-]/g, '');
    return { name: user.displayName || user.loginName, ...(number ? { number } : {}) };
  };
}
