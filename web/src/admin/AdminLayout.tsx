import { Menu, Result, Button, Tag } from 'antd';
import { ApartmentOutlined, AuditOutlined, FileDoneOutlined, LeftOutlined, SafetyOutlined, TeamOutlined } from '@ant-design/icons';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useT } from '../i18n/I18nProvider';
import { useLive } from '../state/live';
import { useSession } from '../state/session';

const SECTIONS = [
  { key: 'members', icon: <TeamOutlined />, label: 'admin.members' },
  { key: 'departments', icon: <ApartmentOutlined />, label: 'admin.departments' },
  { key: 'admins', icon: <SafetyOutlined />, label: 'admin.admins' },
  { key: 'approvals', icon: <FileDoneOutlined />, label: 'ap.admin.menu' },
  { key: 'audit', icon: <AuditOutlined />, label: 'admin.audit' },
] as const;

export function AdminLayout() {
  const t = useT();
  const navigate = useNavigate();
  const location = useLocation();
  const { isAdmin, me } = useSession();
  const { status } = useLive();

  if (!isAdmin) {
    return (
      <Result
        status="403"
        title="403"
        subTitle={t('admin.noPermission')}
        data-testid="no-permission"
        extra={
          <Button type="primary" onClick={() => navigate('/')}>
            {t('nav.backToApp')}
          </Button>
        }
      />
    );
  }

  const current = location.pathname.split('/')[2] ?? 'members';
  return (
    <div className="hd-admin">
      <header className="hd-admin-header">
        <NavLink to="/contacts" className="hd-admin-back">
          <LeftOutlined /> <span className="hd-admin-back-label">{t('nav.backToApp')}</span>
        </NavLink>
        <h1>{t('admin.title')}</h1>
        <span className="hd-admin-org">{me?.org.name}</span>
        <Tag color={status === 'open' ? 'green' : 'default'} className="hd-live-tag" data-testid="live-status" data-status={status}>
          {status === 'open' ? t('admin.live') : t('admin.offline')}
        </Tag>
      </header>
      <div className="hd-admin-body">
        <Menu
          className="hd-admin-menu"
          mode="inline"
          selectedKeys={[current]}
          onClick={(e) => navigate(`/admin/${e.key}`)}
          items={SECTIONS.map((s) => ({ key: s.key, icon: s.icon, label: <span data-testid={`admin-nav-${s.key}`}>{t(s.label)}</span> }))}
        />
        <main className="hd-admin-main">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
