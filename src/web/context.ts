/** What every page reads: the language with its translate function, and navigation. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { translate, type Language, type MessageKey } from './i18n/i18n.ts';

export interface ConsoleContext {
  readonly lang: Language;
  readonly t: (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;
  readonly setLang: (lang: Language) => void;
  readonly navigate: (path: string, opts?: { replace?: boolean }) => void;
}

export const Console = createContext<ConsoleContext>({
  lang: 'EN',
  t: (key, params) => translate('EN', key, params),
  setLang: () => {},
  navigate: () => {},
});

export const useConsole = (): ConsoleContext => useContext(Console);
