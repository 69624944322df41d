import { useCallback, useEffect, useState } from 'react';
import { Button, Table, Typography } from 'antd';
import { auditApi } from '../api/endpoints';
import type { AuditEntry } from '../api/types';
import { ErrorState } from '../components/States';
import { useI18n } from '../i18n/I18nProvider';
import { formatTime } from '../lib/format';

const PAGE = 50;

export function AuditLog() {
  const { t, locale } = useI18n();
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const load = useCallback(async (from: string | null) => {
    setLoading(true);
    try {
      const page = await auditApi.page(from, PAGE);
      setItems((prev) => (from ? [...prev, ...page.items] : page.items));
      setCursor(page.next_cursor ?? null);
      setDone(!page.next_cursor);
      setError(null);
    } catch (e) {
      setError(e as Error);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(null);
  }, [load]);

  if (error && items.length === 0) return <ErrorState error={error} onRetry={() => load(null)} />;

  return (
    <div className="hd-admin-section">
      <h2>{t('admin.audit')}</h2>
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        loading={loading && items.length === 0}
        dataSource={items}
        pagination={false}
        scroll={{ x: 800 }}
        locale={{ emptyText: t('audit.empty') }}
        data-testid="audit-table"
        columns={[
          { title: t('audit.time'), dataIndex: 'created_at', width: 160, render: (v: number) => formatTime(v, locale) },
          { title: t('audit.actor'), dataIndex: 'actor_name', width: 120, render: (v, r) => v ?? r.actor_id ?? '—' },
          { title: t('audit.action'), dataIndex: 'action', width: 180, render: (v: string) => <code>{v}</code> },
          { title: t('audit.target'), key: 'target', width: 180, render: (_, r) => [r.target_type, r.target_id].filter(Boolean).join(' ') || '—' },
          {
            title: t('audit.detail'),
            dataIndex: 'detail',
            render: (v: unknown) =>
              v && typeof v === 'object' && Object.keys(v).length ? (
                <Typography.Text className="hd-audit-detail" ellipsis={{ tooltip: JSON.stringify(v, null, 2) }}>
                  {JSON.stringify(v)}
                </Typography.Text>
              ) : (
                '—'
              ),
          },
          { title: t('audit.ip'), dataIndex: 'ip', width: 120, render: (v) => v ?? '—' },
        ]}
      />
      <div className="hd-load-more">
        {done ? (
          items.length > 0 && <span className="hd-muted">{t('common.noMore')}</span>
        ) : (
          <Button onClick={() => load(cursor)} loading={loading} data-testid="audit-more">
            {t('common.loadMore')}
          </Button>
        )}
      </div>
      {error && items.length > 0 && <ErrorState error={error} />}
    </div>
  );
}
