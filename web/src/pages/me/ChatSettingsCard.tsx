// Me → chat settings: background, quiet hours, @mention break-through, browser
// notifications and clearing the local chat cache.
import { App as AntApp, Button, Card, Form, Input, Segmented, Switch } from 'antd';
import { useState } from 'react';
import type { ChatSettings, QuietHours, SettingsPatch } from '../../api/types';
import { useChat } from '../../chat/ChatProvider';
import { formatOffset } from '../../chat/logic';
import { describeError } from '../../i18n/errors';
import { useT } from '../../i18n/I18nProvider';
import { useSession } from '../../state/session';

export function ChatSettingsCard() {
  const t = useT();
  const { me, updateSettings } = useSession();
  const { store, reloadList } = useChat();
  const { message } = AntApp.useApp();
  const s = (me?.settings ?? {}) as ChatSettings;
  const offset = -new Date().getTimezoneOffset();
  const quiet: QuietHours = s.quiet_hours ?? { enabled: false, start: '22:00', end: '08:00', utc_offset_minutes: offset };
  const [perm, setPerm] = useState(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);

  const save = async (patch: ChatSettings) => {
    try {
      await updateSettings(patch as SettingsPatch);
      message.success(t('common.saved'));
    } catch (e) {
      message.error(describeError(t, e));
    }
  };
  const saveQuiet = (patch: Partial<QuietHours>) => save({ quiet_hours: { ...quiet, ...patch, utc_offset_minutes: offset } });

  return (
    <Card title={t('me.chat')} size="small" data-testid="chat-settings">
      <Form layout="horizontal" labelCol={{ flex: '150px' }} className="hd-settings">
        <Form.Item label={t('me.chatBackground')}>
          <Segmented
            value={s.chat_background ?? 'default'}
            onChange={(v) => void save({ chat_background: String(v) })}
            options={(['default', 'paper', 'mint', 'night'] as const).map((b) => ({
              value: b,
              label: (
                <span className="hd-bg-option">
                  <span className={`hd-bg-swatch hd-chat-bg-${b}`} aria-hidden="true" />
                  {t(`me.bg.${b}`)}
                </span>
              ),
            }))}
            data-testid="settings-background"
          />
        </Form.Item>
        <Form.Item label={t('me.quietHours')} extra={t('me.quietHoursHint', { offset: formatOffset(offset) })}>
          <div className="hd-inline">
            <Switch checked={quiet.enabled} onChange={(v) => void saveQuiet({ enabled: v })} aria-label={t('me.quietHours')} />
            <Input
              type="time"
              value={quiet.start}
              disabled={!quiet.enabled}
              onChange={(e) => e.target.value && void saveQuiet({ start: e.target.value })}
              aria-label={`${t('me.quietHours')} start`}
              style={{ width: 130, flex: "none" }}
            />
            <span>–</span>
            <Input
              type="time"
              value={quiet.end}
              disabled={!quiet.enabled}
              onChange={(e) => e.target.value && void saveQuiet({ end: e.target.value })}
              aria-label={`${t('me.quietHours')} end`}
              style={{ width: 130, flex: "none" }}
            />
          </div>
        </Form.Item>
        <Form.Item label={t('me.mentionsBreak')}>
          <Switch
            checked={s.mentions_break_through ?? true}
            onChange={(v) => void save({ mentions_break_through: v })}
            aria-label={t('me.mentionsBreak')}
          />
        </Form.Item>
        <Form.Item label={t('me.notifications')}>
          {perm === 'granted' ? (
            <span>{t('me.notifications.granted')}</span>
          ) : perm === 'denied' ? (
            <span className="hd-muted">{t('me.notifications.denied')}</span>
          ) : perm === 'unsupported' ? (
            <span className="hd-muted">{t('me.notifications.unsupported')}</span>
          ) : (
            <Button onClick={() => void Notification.requestPermission().then(setPerm)} data-testid="settings-notify">
              {t('me.notifications.enable')}
            </Button>
          )}
        </Form.Item>
        <Form.Item label={t('me.clearCache')}>
          <Button
            onClick={() => {
              for (const k of Object.keys(localStorage)) if (k.startsWith('huddle.chat.')) localStorage.removeItem(k);
              store.clear();
              void reloadList();
              message.success(t('me.clearCache.done'));
            }}
            data-testid="settings-clear-cache"
          >
            {t('me.clearCache')}
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}
