import type { ReactNode } from 'react';
import { useT } from '../i18n/I18nProvider';

export function PageHeader({ title, extra, onBack }: { title: ReactNode; extra?: ReactNode; onBack?: () => void }) {
  const t = useT();
  return (
    <header className="hd-page-header">
      {onBack && (
        <button type="button" className="hd-back" onClick={onBack} aria-label={t('common.back')}>
          ‹
        </button>
      )}
      <h1>{title}</h1>
      {extra && <div className="hd-page-header-extra">{extra}</div>}
    </header>
  );
}
