import { useEffect, useState } from 'react';
import { Button, Form, Input, Result } from 'antd';
import { useNavigate } from 'react-router';
import { setupApi } from '../api/endpoints';
import { isApiError } from '../api/client';
import { describeError } from '../i18n/errors';
import { AuthLayout } from '../components/AuthLayout';
import { ErrorAlert } from '../components/ErrorAlert';
import { Loading } from '../components/States';
import { useT } from '../i18n/I18nProvider';
import { useSession } from '../state/session';
import { confirmRule, passwordRules } from './passwordRules';

interface Values {
  org_name: string;
  admin_name: string;
  admin_login: string;
  admin_password: string;
  confirm: string;
}

export function SetupPage({ onDone }: { onDone?: () => void }) {
  const t = useT();
  const navigate = useNavigate();
  const { refresh } = useSession();
  const [needsSetup, setNeedsSetup] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<Values>();

  useEffect(() => {
    setupApi
      .status()
      .then((s) => setNeedsSetup(s.needs_setup))
      .catch(() => setNeedsSetup(true));
  }, []);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      await setupApi.run({
        org_name: v.org_name.trim(),
        admin_name: v.admin_name.trim(),
        admin_login: v.admin_login.trim(),
        admin_password: v.admin_password,
      });
      onDone?.();
      await refresh();
      navigate('/', { replace: true });
    } catch (e) {
      const msg = describeError(t, e);
      setError(msg);
      if (isApiError(e) && e.field) {
        const name = e.field as keyof Values;
        form.setFields([{ name, errors: [msg] }]);
      }
    } finally {
      setBusy(false);
    }
  };

  if (needsSetup === null) return <Loading />;
  if (!needsSetup) {
    return (
      <AuthLayout title={t('setup.title')}>
        <Result
          status="info"
          title={t('setup.alreadyDone')}
          extra={<Button type="primary" onClick={() => navigate('/login')}>{t('login.submit')}</Button>}
        />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title={t('setup.title')} subtitle={t('setup.subtitle')}>
      <ErrorAlert error={error} testId="setup-error" />
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
        <Form.Item name="org_name" label={t('setup.orgName')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input autoFocus autoComplete="organization" data-testid="setup-org" />
        </Form.Item>
        <Form.Item name="admin_name" label={t('setup.adminName')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input autoComplete="name" data-testid="setup-name" />
        </Form.Item>
        <Form.Item name="admin_login" label={t('setup.adminLogin')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input autoComplete="username" data-testid="setup-login" />
        </Form.Item>
        <Form.Item name="admin_password" label={t('setup.password')} rules={passwordRules(t)} hasFeedback>
          <Input.Password autoComplete="new-password" data-testid="setup-password" />
        </Form.Item>
        <Form.Item name="confirm" label={t('setup.confirm')} dependencies={['admin_password']} rules={[confirmRule(t, 'admin_password')]} hasFeedback>
          <Input.Password autoComplete="new-password" data-testid="setup-confirm" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="setup-submit">
          {t('setup.submit')}
        </Button>
      </Form>
    </AuthLayout>
  );
}
