// Minimal i18n: two locales, {placeholder} interpolation, browser detection.
import { en, type MessageKey, type Messages } from './en';
import { zhCN } from './zh-CN';

export type Locale = 'zh-CN' | 'en';
export type { MessageKey };

export const LOCALES: { value: Locale; label: string }[] = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en', label: 'English' },
];

const catalogs: Record<Locale, Messages> = { 'zh-CN': zhCN, en };

/** Picks zh-CN for any Chinese browser language, English otherwise. */
export function detectLocale(languages: readonly string[] | undefined): Locale {
  for (const lang of languages ?? []) {
    const l = lang.toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

export function normalizeLocale(value: unknown): Locale | null {
  return value === 'zh-CN' || value === 'en' ? value : null;
}

export type Vars = Record<string, string | number>;

export function translate(locale: Locale, key: MessageKey, vars?: Vars): string {
  const template = catalogs[locale][key] ?? en[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export type TFunction = (key: MessageKey, vars?: Vars) => string;

export function makeT(locale: Locale): TFunction {
  return (key, vars) => translate(locale, key, vars);
}
