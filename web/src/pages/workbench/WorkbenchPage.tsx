// Workbench: a grid of app tiles (审批 for now), with a badge for what waits for the member.
import type { ReactNode } from 'react';
import { Badge } from 'antd';
import { AuditOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { PageHeader } from '../../shell/PageHeader';
import { useT } from '../../i18n/I18nProvider';
import type { MessageKey } from '../../i18n';
import { useApprovalCounts } from '../../approvals/common';

export interface WorkbenchApp {
  id: string;
  name: MessageKey;
  icon: ReactNode;
  color: string;
  to: string;
}

export const WORKBENCH_APPS: WorkbenchApp[] = [{ id: 'approvals', name: 'ap.title', icon: <AuditOutlined />, color: '#f5a623', to: '/workbench/approvals' }];

export function WorkbenchPage() {
  const t = useT();
  const navigate = useNavigate();
  const counts = useApprovalCounts();
  const badge = (id: string) => (id === 'approvals' ? (counts?.waiting ?? 0) : 0);
  return (
    <div className="hd-page">
      <PageHeader title={t('nav.workbench')} />
      <div className="hd-page-body">
        <ul className="hd-tiles">
          {WORKBENCH_APPS.map((app) => (
            <li key={app.id}>
              <button type="button" className="hd-tile" onClick={() => navigate(app.to)} data-testid={`app-${app.id}`}>
                <Badge count={badge(app.id)} size="small" data-testid={`app-${app.id}-badge`}>
                  <span className="hd-tile-icon" style={{ background: app.color }}>
                    {app.icon}
                  </span>
                </Badge>
                <span>{t(app.name)}</span>
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
