import { useCallback, useEffect, useState } from 'react';
import { App as AntApp, Button, Card, List, Popconfirm, Tag } from 'antd';
import { DesktopOutlined } from '@ant-design/icons';
import { authApi } from '../../api/endpoints';
import { describeError } from '../../i18n/errors';
import type { SessionInfo } from '../../api/types';
import { ErrorState } from '../../components/States';
import { describeUserAgent, formatTime } from '../../lib/format';
import { useI18n } from '../../i18n/I18nProvider';

export function SessionsCard() {
  const { t, locale } = useI18n();
  const { message } = AntApp.useApp();
  const [items, setItems] = useState<SessionInfo[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const res = await authApi.sessions();
      setItems([...res.items].sort((a, b) => Number(b.current) - Number(a.current) || b.last_seen_at - a.last_seen_at));
      setError(null);
    } catch (e) {
      setError(e as Error);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    try {
      await fn();
      message.success(t('me.sessions.revoked'));
      await load();
    } catch (e) {
      message.error(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };

  const others = items?.filter((s) => !s.current).length ?? 0;

  return (
    <Card
      title={t('me.sessions')}
      size="small"
      extra={
        <Popconfirm title={t('me.sessions.signOutOthers')} onConfirm={() => act(() => authApi.revokeOthers())} disabled={!others}>
          <Button size="small" disabled={!others} loading={busy} data-testid="sessions-revoke-others">
            {t('me.sessions.signOutOthers')}
          </Button>
        </Popconfirm>
      }
    >
      {error ? (
        <ErrorState error={error} onRetry={load} />
      ) : (
        <List
          loading={items === null}
          dataSource={items ?? []}
          locale={{ emptyText: t('me.sessions.none') }}
          data-testid="sessions-list"
          renderItem={(s) => (
            <List.Item
              actions={
                s.current
                  ? [<Tag color="green" key="cur">{t('me.sessions.current')}</Tag>]
                  : [
                      <Button key="out" size="small" type="link" danger disabled={busy} onClick={() => act(() => authApi.revokeSession(s.id))}>
                        {t('me.sessions.signOut')}
                      </Button>,
                    ]
              }
            >
              <List.Item.Meta
                avatar={<DesktopOutlined className="hd-session-icon" />}
                title={`${describeUserAgent(s.user_agent)}${s.ip ? ` · ${s.ip}` : ''}`}
                description={`${t('me.sessions.lastSeen', { time: formatTime(s.last_seen_at, locale) })} · ${t('me.sessions.created', {
                  time: formatTime(s.created_at, locale),
                })}`}
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
