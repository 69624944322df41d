import { App as AntApp } from 'antd';
import { Navigate, useNavigate } from 'react-router';
import { AuthLayout } from '../components/AuthLayout';
import { useT } from '../i18n/I18nProvider';
import { useSession } from '../state/session';
import { ChangePasswordForm } from './me/ChangePasswordForm';

/** Full-page password change, forced when must_change_password is set. */
export function ChangePasswordPage() {
  const t = useT();
  const navigate = useNavigate();
  const { me, refresh } = useSession();
  const { message } = AntApp.useApp();
  if (!me) return <Navigate to="/login" replace />;
  return (
    <AuthLayout title={t('password.title')} subtitle={me.must_change_password ? t('password.forced') : undefined}>
      <ChangePasswordForm
        onDone={async () => {
          message.success(t('password.changed'));
          await refresh();
          navigate('/', { replace: true });
        }}
      />
    </AuthLayout>
  );
}
