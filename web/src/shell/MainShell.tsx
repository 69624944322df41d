// WeCom-style shell: left icon rail on desktop, bottom tab bar on phones.
import { NavLink, Outlet } from 'react-router';
import { AppstoreOutlined, ContactsOutlined, MessageOutlined, SettingOutlined, UserOutlined } from '@ant-design/icons';
import type { ReactNode } from 'react';
import { Badge, Tooltip } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { DisconnectOutlined } from '@ant-design/icons';
import { useChat } from '../chat/ChatProvider';
import { useLive } from '../state/live';
import { Avatar } from '../components/Avatar';
import { useT } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n';
import { useSession } from '../state/session';
import { useApprovalCounts } from '../approvals/common';

interface Tab {
  to: string;
  label: MessageKey;
  icon: ReactNode;
}

export const TABS: Tab[] = [
  { to: '/messages', label: 'nav.messages', icon: <MessageOutlined /> },
  { to: '/contacts', label: 'nav.contacts', icon: <ContactsOutlined /> },
  { to: '/workbench', label: 'nav.workbench', icon: <AppstoreOutlined /> },
  { to: '/me', label: 'nav.me', icon: <UserOutlined /> },
];

export function MainShell() {
  const t = useT();
  const { me, isAdmin } = useSession();
  const { store } = useChat();
  const unread = store.totalUnread();
  const approvals = useApprovalCounts();
  const offline = useOffline();
  return (
    <div className="hd-shell">
      <nav className="hd-nav" aria-label={t('a11y.mainNav')}>
        {me && (
          <NavLink to="/me" className="hd-nav-avatar" aria-label={me.member.name}>
            <Avatar name={me.member.name} id={me.member.id} url={me.member.avatar_url} size={36} />
          </NavLink>
        )}
        <ul className="hd-nav-list">
          {TABS.map((tab) => (
            <li key={tab.to} className={tab.to === '/me' ? 'hd-nav-me' : undefined}>
              <NavLink to={tab.to} className={({ isActive }) => `hd-nav-item${isActive ? ' active' : ''}`} data-testid={`nav-${tab.to.slice(1)}`}>
                <span className="hd-nav-icon">
                  {tab.to === '/messages' ? (
                    <Badge count={unread} size="small" offset={[4, -2]} data-testid="nav-unread">
                      <span className="hd-nav-badge-icon">{tab.icon}</span>
                    </Badge>
                  ) : tab.to === '/workbench' ? (
                    <Badge count={approvals?.waiting ?? 0} size="small" offset={[4, -2]} data-testid="nav-workbench-badge">
                      <span className="hd-nav-badge-icon">{tab.icon}</span>
                    </Badge>
                  ) : (
                    tab.icon
                  )}
                </span>
                <span className="hd-nav-label">{t(tab.label)}</span>
              </NavLink>
            </li>
          ))}
        </ul>
        {isAdmin && (
          <Tooltip title={t('nav.admin')} placement="right">
            <NavLink to="/admin" className="hd-nav-item hd-nav-admin" data-testid="nav-admin">
              <span className="hd-nav-icon">
                <SettingOutlined />
              </span>
              <span className="hd-nav-label">{t('nav.admin')}</span>
            </NavLink>
          </Tooltip>
        )}
      </nav>
      <main className="hd-main">
        {offline && (
          <div className="hd-offline" role="status" data-testid="offline-banner">
            <DisconnectOutlined /> {t('chat.offline')}
          </div>
        )}
        <Outlet />
      </main>
    </div>
  );
}

/** true while the live connection is down (after a short grace period). */
function useOffline(): boolean {
  const { status } = useLive();
  const [offline, setOffline] = useState(false);
  const everOpen = useRef(false);
  useEffect(() => {
    if (status === 'open') {
      everOpen.current = true;
      setOffline(false);
      return;
    }
    const timer = setTimeout(() => setOffline(true), everOpen.current ? 1500 : 4000);
    return () => clearTimeout(timer);
  }, [status]);
  return offline;
}
