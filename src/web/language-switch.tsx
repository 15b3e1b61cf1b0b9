/** The language select: each language in its own name; the choice is stored on this device. */
import { useConsole } from './context.ts';
import { isLanguage, LANGUAGE_NAMES, LANGUAGES } from './i18n/i18n.ts';

export function LanguageSwitch() {
  const { lang, setLang, t } = useConsole();
  return (
    <label class="lang">
      <span class="sr-only">{t('nav.language')}</span>
      <select
        data-testid="language"
        value={lang}
        onChange={(e) => {
          const v = (e.target as HTMLSelectElement).value;
          if (isLanguage(v)) setLang(v);
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l.toLowerCase()}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
