// The resolved flow as a vertical list (submit preview).
import { Timeline } from 'antd';
import { useT } from '../i18n/I18nProvider';
import type { ResolvedStep } from './types';

export function FlowSteps({ applicant, steps, names }: { applicant: string; steps: ResolvedStep[]; names: (id: string) => string }) {
  const t = useT();
  return (
    <div data-testid="ap-flow-steps">
    <Timeline
      className="ap-flow"
      items={[
        { color: 'blue', children: <div><div className="ap-step-title">{t('ap.flow.applicant')}</div><div>{applicant}</div></div> },
        ...steps.map((s) => ({
          color: s.auto ? 'gray' : s.kind === 'cc' ? 'green' : 'blue',
          children: (
            <div data-testid="ap-flow-step" data-node={s.node_id}>
              <div className="ap-step-title">
                {s.name || (s.kind === 'cc' ? t('ap.flow.cc') : t('ap.flow.approve'))}
                {s.kind === 'approve' && s.members.length > 1 && <span className="hd-muted"> · {t(`ap.flow.mode.${s.mode}`)}</span>}
              </div>
              <div data-testid="ap-flow-people">{s.members.map(names).join('、')}</div>
              {s.auto && <div className="hd-muted">{t(`ap.flow.auto.${s.auto}`)}</div>}
            </div>
          ),
        })),
      ]}
    />
    </div>
  );
}
