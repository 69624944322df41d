// Workbench: a grid of app tiles. No apps exist yet, so WORKBENCH_APPS is empty
// and the empty state shows; add entries to populate the grid.
import type { ReactNode } from 'react';
import { AppstoreOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { EmptyState } from '../../components/States';
import { PageHeader } from '../../shell/PageHeader';
import { useT } from '../../i18n/I18nProvider';

export interface WorkbenchApp {
  id: string;
  name: string;
  icon: ReactNode;
  color: string;
  to: string;
}

export const WORKBENCH_APPS: WorkbenchApp[] = [];

export function WorkbenchPage() {
  const t = useT();
  const navigate = useNavigate();
  return (
    <div className="hd-page">
      <PageHeader title={t('nav.workbench')} />
      <div className="hd-page-body">
        {WORKBENCH_APPS.length === 0 ? (
          <EmptyState icon={<AppstoreOutlined className="hd-empty-icon" />} title={t('workbench.emptyTitle')} description={t('workbench.emptyBody')} />
        ) : (
          <ul className="hd-tiles">
            {WORKBENCH_APPS.map((app) => (
              <li key={app.id}>
                <button type="button" className="hd-tile" onClick={() => navigate(app.to)}>
                  <span className="hd-tile-icon" style={{ background: app.color }}>
                    {app.icon}
                  </span>
                  <span>{app.name}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
