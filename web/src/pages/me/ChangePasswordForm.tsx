import { useState } from 'react';
import { Button, Form, Input } from 'antd';
import { authApi } from '../../api/endpoints';
import { describeError } from '../../i18n/errors';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useT } from '../../i18n/I18nProvider';
import { confirmRule, passwordRules } from '../passwordRules';

interface Values {
  current_password: string;
  new_password: string;
  confirm: string;
}

export function ChangePasswordForm({ onDone }: { onDone: () => void | Promise<void> }) {
  const t = useT();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      await authApi.changePassword({ current_password: v.current_password, new_password: v.new_password });
      form.resetFields();
      await onDone();
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ErrorAlert error={error} testId="password-error" />
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
        <Form.Item name="current_password" label={t('password.current')} rules={[{ required: true, message: t('common.required') }]}>
          <Input.Password autoComplete="current-password" data-testid="pw-current" />
        </Form.Item>
        <Form.Item name="new_password" label={t('password.new')} rules={passwordRules(t)} hasFeedback>
          <Input.Password autoComplete="new-password" data-testid="pw-new" />
        </Form.Item>
        <Form.Item name="confirm" label={t('password.confirm')} dependencies={['new_password']} rules={[confirmRule(t, 'new_password')]} hasFeedback>
          <Input.Password autoComplete="new-password" data-testid="pw-confirm" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy} data-testid="pw-submit">
          {t('password.submit')}
        </Button>
      </Form>
    </>
  );
}
