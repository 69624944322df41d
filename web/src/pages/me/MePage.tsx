import { useState } from 'react';
import { App as AntApp, Button, Card, Descriptions, Modal, Tag } from 'antd';
import { KeyOutlined, LogoutOutlined, SettingOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { Avatar } from '../../components/Avatar';
import { useT } from '../../i18n/I18nProvider';
import { useDirectory } from '../../state/directory';
import { useSession } from '../../state/session';
import { PageHeader } from '../../shell/PageHeader';
import { ChangePasswordForm } from './ChangePasswordForm';
import { SessionsCard } from './SessionsCard';
import { SettingsCard } from './SettingsCard';
import { ChatSettingsCard } from './ChatSettingsCard';

export function MePage() {
  const t = useT();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const { me, logout, isAdmin } = useSession();
  const { deptName } = useDirectory();
  const [pwOpen, setPwOpen] = useState(false);
  if (!me) return null;
  const m = me.member;

  return (
    <div className="hd-page">
      <PageHeader title={t('nav.me')} />
      <div className="hd-page-body hd-me">
        <Card className="hd-me-card">
          <div className="hd-profile-head">
            <Avatar name={m.name} id={m.id} url={m.avatar_url} size={64} />
            <div>
              <div className="hd-profile-name" data-testid="me-name">
                {m.name}
                {m.role !== 'member' && (
                  <Tag color="blue" className="hd-tag-gap">
                    {t(`role.${m.role}`)}
                  </Tag>
                )}
              </div>
              <div className="hd-muted">{me.org.name}</div>
            </div>
          </div>
          <Descriptions column={1} size="small" labelStyle={{ width: 110 }}>
            <Descriptions.Item label={t('profile.employeeId')}>{m.employee_id}</Descriptions.Item>
            <Descriptions.Item label={t('profile.position')}>{m.position || '—'}</Descriptions.Item>
            <Descriptions.Item label={t('profile.departments')}>
              {m.department_ids.map((id) => deptName(id)).filter(Boolean).join('、') || '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('profile.phone')}>{m.phone || '—'}</Descriptions.Item>
            <Descriptions.Item label={t('profile.email')}>{m.email || '—'}</Descriptions.Item>
            <Descriptions.Item label={t('me.orgCode')}>{me.org.code}</Descriptions.Item>
          </Descriptions>
        </Card>

        <SettingsCard />
        <ChatSettingsCard />
        <SessionsCard />

        <Card className="hd-me-actions">
          {isAdmin && (
            <Button block icon={<SettingOutlined />} onClick={() => navigate('/admin')} data-testid="me-admin">
              {t('nav.admin')}
            </Button>
          )}
          <Button block icon={<KeyOutlined />} onClick={() => setPwOpen(true)} data-testid="me-change-password">
            {t('me.changePassword')}
          </Button>
          <Button
            block
            danger
            icon={<LogoutOutlined />}
            data-testid="me-logout"
            onClick={async () => {
              await logout();
              navigate('/login', { replace: true });
            }}
          >
            {t('me.logout')}
          </Button>
        </Card>
      </div>
      <Modal open={pwOpen} title={t('me.changePassword')} onCancel={() => setPwOpen(false)} footer={null} destroyOnHidden>
        <ChangePasswordForm
          onDone={() => {
            setPwOpen(false);
            message.success(t('password.changed'));
          }}
        />
      </Modal>
    </div>
  );
}
