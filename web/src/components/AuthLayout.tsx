// Centered card used by setup, login and forced password change.
import type { ReactNode } from 'react';
import { Select } from 'antd';
import { useI18n } from '../i18n/I18nProvider';
import { LOCALES } from '../i18n';

export function AuthLayout({ title, subtitle, children }: { title: ReactNode; subtitle?: ReactNode; children: ReactNode }) {
  const { locale, setLocale, t } = useI18n();
  return (
    <div className="hd-auth">
      <div className="hd-auth-card">
        <div className="hd-auth-brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <span>Huddle</span>
        </div>
        <h1 className="hd-auth-title">{title}</h1>
        {subtitle && <p className="hd-muted hd-auth-sub">{subtitle}</p>}
        {children}
      </div>
      <Select
        className="hd-auth-lang"
        size="small"
        variant="borderless"
        value={locale}
        onChange={setLocale}
        options={LOCALES}
        aria-label={t('me.language')}
      />
    </div>
  );
}
