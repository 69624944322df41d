import type { ReactNode } from 'react';

export function PageHeader({ title, extra, onBack }: { title: ReactNode; extra?: ReactNode; onBack?: () => void }) {
  return (
    <header className="hd-page-header">
      {onBack && (
        <button type="button" className="hd-back" onClick={onBack} aria-label="Back">
          ‹
        </button>
      )}
      <h1>{title}</h1>
      {extra && <div className="hd-page-header-extra">{extra}</div>}
    </header>
  );
}
