import { App as AntApp, Card, Form, Segmented, Select } from 'antd';
import { describeError } from '../../i18n/errors';
import { LOCALES, type Locale } from '../../i18n';
import { useI18n } from '../../i18n/I18nProvider';
import { useSession, type FontSize } from '../../state/session';

export function SettingsCard() {
  const { t, locale } = useI18n();
  const { fontSize, updateSettings } = useSession();
  const { message } = AntApp.useApp();

  const save = async (patch: { locale?: Locale; font_size?: FontSize }) => {
    try {
      await updateSettings(patch);
    } catch (e) {
      message.error(describeError(t, e));
    }
  };

  return (
    <Card title={t('me.settings')} size="small">
      <Form layout="horizontal" labelCol={{ flex: '110px' }} className="hd-settings">
        <Form.Item label={t('me.language')}>
          <Select<Locale>
            value={locale}
            options={LOCALES}
            onChange={(v) => save({ locale: v })}
            style={{ maxWidth: 200 }}
            data-testid="settings-locale"
          />
        </Form.Item>
        <Form.Item label={t('me.fontSize')}>
          <Segmented<FontSize>
            value={fontSize}
            onChange={(v) => save({ font_size: v })}
            options={[
              { value: 'small', label: t('me.font.small') },
              { value: 'standard', label: t('me.font.standard') },
              { value: 'large', label: t('me.font.large') },
            ]}
            data-testid="settings-font"
          />
        </Form.Item>
      </Form>
    </Card>
  );
}
