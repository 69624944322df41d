// antd theme + locale wiring around the routed app.
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useI18n } from './i18n/I18nProvider';
import { FONT_PX, useSession } from './state/session';
import { AppRoutes } from './AppRoutes';

export const BRAND = { primary: '#1677ff', green: '#07c160' };

export function ThemedApp() {
  const { locale } = useI18n();
  const { fontSize } = useSession();
  return (
    <ConfigProvider
      locale={locale === 'zh-CN' ? zhCN : enUS}
      theme={{
        token: {
          colorPrimary: BRAND.primary,
          colorSuccess: BRAND.green,
          borderRadius: 6,
          fontSize: FONT_PX[fontSize],
          fontFamily:
            "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', 'Helvetica Neue', Arial, sans-serif",
        },
      }}
    >
      <AntApp>
        <AppRoutes />
      </AntApp>
    </ConfigProvider>
  );
}
