// Shared loading / empty / error states.
import { Button, Empty, Result, Spin } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../i18n/I18nProvider';
import { describeError } from '../i18n/errors';

export function Loading({ tip }: { tip?: string }) {
  const t = useT();
  return (
    <div className="hd-center" role="status" aria-live="polite">
      <Spin />
      <span className="hd-muted">{tip ?? t('common.loading')}</span>
    </div>
  );
}

export function EmptyState({ title, description, icon, extra }: { title: ReactNode; description?: ReactNode; icon?: ReactNode; extra?: ReactNode }) {
  return (
    <div className="hd-center">
      <Empty
        image={icon ?? Empty.PRESENTED_IMAGE_SIMPLE}
        description={
          <div>
            <div className="hd-empty-title">{title}</div>
            {description && <div className="hd-muted">{description}</div>}
          </div>
        }
      >
        {extra}
      </Empty>
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const t = useT();
  return (
    <Result
      status="warning"
      title={t('common.error')}
      subTitle={describeError(t, error)}
      extra={onRetry ? <Button onClick={onRetry}>{t('common.retry')}</Button> : undefined}
    />
  );
}
