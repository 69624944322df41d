import { useState } from 'react';
import { Alert, Button, Collapse, Form, Input } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useNavigate, useSearchParams } from 'react-router';
import { authApi } from '../api/endpoints';
import { isApiError } from '../api/client';
import { describeError } from '../i18n/errors';
import { AuthLayout } from '../components/AuthLayout';
import { useT } from '../i18n/I18nProvider';
import { useSession } from '../state/session';

interface Values {
  login: string;
  password: string;
  org?: string;
}

interface LoginError {
  message: string;
  rateLimited: boolean;
  /** Wrong login or password: the message already is the sign-in guidance. */
  credentials: boolean;
}

export function LoginPage() {
  const t = useT();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const { refresh } = useSession();
  const [error, setError] = useState<LoginError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const org = v.org?.trim();
      const res = await authApi.login({ login: v.login.trim(), password: v.password, ...(org ? { org } : {}) });
      await refresh();
      if (res.must_change_password) {
        navigate('/change-password', { replace: true });
      } else {
        const next = params.get('next');
        navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
      }
    } catch (e) {
      setError({
        message: describeError(t, e),
        rateLimited: isApiError(e) && e.isRateLimited,
        credentials: isApiError(e) && e.code === 'invalid_credentials',
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout title={t('login.title')}>
      {error && (
        <Alert
          className="hd-form-alert"
          type={error.rateLimited ? 'warning' : 'error'}
          showIcon
          role="alert"
          data-testid="login-error"
          message={error.message}
          description={error.rateLimited || error.credentials ? undefined : t('login.help')}
        />
      )}
      <Form layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
        <Form.Item name="login" label={t('login.login')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input prefix={<UserOutlined />} autoFocus autoComplete="username" size="large" data-testid="login-login" />
        </Form.Item>
        <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('common.required') }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" size="large" data-testid="login-password" />
        </Form.Item>
        <Collapse
          ghost
          size="small"
          className="hd-login-more"
          items={[
            {
              key: 'more',
              label: t('login.more'),
              forceRender: true,
              children: (
                <Form.Item name="org" label={t('login.org')}>
                  <Input autoComplete="organization" data-testid="login-org" />
                </Form.Item>
              ),
            },
          ]}
        />
        <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="login-submit">
          {t('login.submit')}
        </Button>
      </Form>
      {!error && <p className="hd-muted hd-auth-help">{t('login.help')}</p>}
    </AuthLayout>
  );
}
