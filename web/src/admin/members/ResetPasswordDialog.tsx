import { useEffect, useState } from 'react';
import { Form, Input, Modal } from 'antd';
import { membersApi } from '../../api/endpoints';
import { describeError } from '../../i18n/errors';
import type { Member } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useT } from '../../i18n/I18nProvider';

/** A random temporary password that satisfies the 8-character minimum. */
export function tempPassword(len = 12): string {
  const chars = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = new Uint32Array(len);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => chars[b % chars.length]).join('');
}

export function ResetPasswordDialog({ member, onClose, onDone }: { member: Member | null; onClose: () => void; onDone: () => void }) {
  const t = useT();
  const [form] = Form.useForm<{ password: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (member) {
      setError(null);
      form.setFieldsValue({ password: tempPassword() });
    }
  }, [member, form]);

  const submit = async ({ password }: { password: string }) => {
    if (!member) return;
    setBusy(true);
    setError(null);
    try {
      await membersApi.resetPassword(member.id, { password });
      onDone();
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={!!member}
      title={t('member.resetPassword')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: busy }}
      okText={t('common.confirm')}
      cancelText={t('common.cancel')}
      forceRender
    >
      <p className="hd-muted">{t('member.resetPasswordHint', { name: member?.name ?? '' })}</p>
      <ErrorAlert error={error} />
      <Form form={form} name="reset_password" layout="vertical" onFinish={submit}>
        <Form.Item name="password" label={t('member.tempPassword')} rules={[{ required: true, min: 8, message: t('password.minLength') }]}>
          <Input autoComplete="off" className="hd-mono" data-testid="reset-password-input" />
        </Form.Item>
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </Form>
    </Modal>
  );
}
