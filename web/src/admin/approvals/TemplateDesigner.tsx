// Template designer: basics, form controls, approval flow and settings. One save makes a new
// immutable version on the server; errors naming form.<control> or flow.<node> are highlighted.
import { Alert, App as AntApp, AutoComplete, Button, Input, Radio, Space, Switch, Tabs, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { Loading } from '../../components/States';
import { ErrorAlert } from '../../components/ErrorAlert';
import { describeError } from '../../i18n/errors';
import { useI18n } from '../../i18n/I18nProvider';
import { approvalsApi } from '../../approvals/api';
import { ICON_VIEW, TemplateIcon } from '../../approvals/common';
import { errorTarget, pick } from '../../approvals/logic';
import { DeptSelect, MemberSelect } from '../../approvals/pickers';
import type { ControlType, LeaveType, Role, TemplateDefinition } from '../../approvals/types';
import { ICONS } from '../../approvals/types';
import { emptyDefinition } from './designer';
import { ControlsEditor } from './ControlsEditor';
import { FlowEditor } from './FlowBuilder';
import { L } from './Labeled';

const KINDS: ControlType[] = [
  'text',
  'textarea',
  'number',
  'money',
  'date',
  'date_range',
  'select',
  'contact',
  'attachment',
  'table',
  'location',
  'description',
  'leave',
  'business_trip',
  'outing',
  'overtime',
  'punch_correction',
  'formula',
];

export function TemplateDesigner() {
  const { t, locale } = useI18n();
  const { templateId = 'new' } = useParams();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const [def, setDef] = useState<TemplateDefinition | null>(null);
  const [version, setVersion] = useState<number | null>(null);
  const [roles, setRoles] = useState<Role[]>([]);
  const [leaveTypes, setLeaveTypes] = useState<LeaveType[]>([]);
  const [groups, setGroups] = useState<string[]>([]);
  const [error, setError] = useState<{ text: string; field: string | null } | null>(null);
  const [saving, setSaving] = useState(false);
  const [tab, setTab] = useState('basic');

  useEffect(() => {
    approvalsApi.roles().then((r) => setRoles(r.items), () => undefined);
    approvalsApi.leaveTypes().then((r) => setLeaveTypes(r.items), () => undefined);
    approvalsApi.templates(true).then((r) => setGroups([...new Set(r.items.map((x) => x.definition.group ?? '').filter(Boolean))]), () => undefined);
    if (templateId === 'new') {
      setDef(emptyDefinition(t('ap.d.newName')));
      return;
    }
    approvalsApi.template(templateId).then(
      (tp) => {
        setDef(tp.definition);
        setVersion(tp.version);
      },
      (e) => setError({ text: describeError(t, e), field: null }),
    );
  }, [templateId, t]);

  if (!def) return error ? <ErrorAlert error={error.text} /> : <Loading />;
  const target = errorTarget(error?.field);
  const formErrorId = target?.area === 'form' ? target.controlId : null;
  const flowErrorId = target?.area === 'flow' ? target.nodeId : null;

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const tp = templateId === 'new' ? await approvalsApi.createTemplate(def) : await approvalsApi.updateTemplate(templateId, def);
      message.success(t('ap.d.saved'));
      setVersion(tp.version);
      if (templateId === 'new') navigate(`/admin/approvals/templates/${tp.id}`, { replace: true });
    } catch (e) {
      const field = isApiError(e) ? e.field : null;
      setError({ text: isApiError(e) && e.code === 'validation_failed' ? e.message : describeError(t, e), field });
      const tt = errorTarget(field);
      if (tt?.area === 'form' || field === 'form') setTab('form');
      else if (tt?.area === 'flow' || field === 'flow') setTab('flow');
      else if (field) setTab('basic');
    } finally {
      setSaving(false);
    }
  };
  const ctlTitle = (id: string) => pick(def.form.controls.find((c) => c.id === id)?.title, locale);
  const whereText = formErrorId ? `${t('ap.d.form')} · ${ctlTitle(formErrorId) || formErrorId}` : flowErrorId ? `${t('ap.d.flow')} · ${flowErrorId}` : error?.field;
  const where = whereText ? t('ap.d.errorAt', { where: whereText }) : undefined;

  return (
    <div className="ap-designer" data-testid="ap-designer">
      <div className="ap-admin-toolbar">
        <Button onClick={() => navigate('/admin/approvals')}>‹ {t('common.back')}</Button>
        <TemplateIcon icon={def.icon ?? ''} size={32} />
        <strong>{def.name.zh || t('ap.d.title')}</strong>
        {version != null && <Tag>{t('ap.admin.version', { n: version })}</Tag>}
        <span style={{ flex: 1 }} />
        <Button type="primary" onClick={save} loading={saving} data-testid="ap-designer-save">
          {t('common.save')}
        </Button>
      </div>
      {error && <Alert type="error" showIcon message={error.text} description={where} data-testid="ap-designer-error" role="alert" />}
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'basic', label: <span data-testid="ap-d-tab-basic">{t('ap.d.basic')}</span>, children: <BasicsEditor def={def} onChange={setDef} groups={groups} /> },
          {
            key: 'form',
            label: <span data-testid="ap-d-tab-form">{t('ap.d.form')}</span>,
            children: <ControlsEditor controls={def.form.controls} onChange={(controls) => setDef({ ...def, form: { controls } })} errorId={formErrorId} kinds={KINDS} schema={def.form} />,
          },
          {
            key: 'flow',
            label: <span data-testid="ap-d-tab-flow">{t('ap.d.flow')}</span>,
            children: <FlowEditor flow={def.flow} onChange={(flow) => setDef({ ...def, flow })} form={def.form} roles={roles} leaveTypes={leaveTypes} errorId={flowErrorId} />,
          },
          { key: 'settings', label: <span data-testid="ap-d-tab-settings">{t('ap.d.settings')}</span>, children: <SettingsEditor def={def} onChange={setDef} /> },
        ]}
      />
    </div>
  );
}

function BasicsEditor({ def, onChange, groups }: { def: TemplateDefinition; onChange: (d: TemplateDefinition) => void; groups: string[] }) {
  const { t } = useI18n();
  return (
    <div className="ap-ctl-body" style={{ maxWidth: 760 }}>
      <L label={t('ap.d.nameZh')}>
        <Input value={def.name.zh} maxLength={30} onChange={(e) => onChange({ ...def, name: { ...def.name, zh: e.target.value } })} data-testid="ap-d-name-zh" />
      </L>
      <L label={t('ap.d.nameEn')}>
        <Input value={def.name.en ?? ''} maxLength={60} onChange={(e) => onChange({ ...def, name: { ...def.name, en: e.target.value } })} data-testid="ap-d-name-en" />
      </L>
      <L label={t('ap.d.group')}>
        <AutoComplete value={def.group} options={groups.map((g) => ({ value: g }))} onChange={(v) => onChange({ ...def, group: v })} data-testid="ap-d-group" />
      </L>
      <div className="ap-wide">
        <span className="ap-mini-label">{t('ap.d.icon')}</span>
        <Radio.Group value={def.icon} onChange={(e) => onChange({ ...def, icon: e.target.value })} className="ap-icon-picker">
          {ICONS.map((i) => (
            <Radio.Button key={i} value={i} aria-label={i} title={i}>
              <span style={{ color: ICON_VIEW[i]?.color }}>{ICON_VIEW[i]?.icon}</span>
            </Radio.Button>
          ))}
        </Radio.Group>
      </div>
      <L label={t('ap.d.description')} wide>
        <Input.TextArea value={def.description} maxLength={500} autoSize={{ minRows: 2 }} onChange={(e) => onChange({ ...def, description: e.target.value })} />
      </L>
      <L label={t('ap.d.scopeMembers')}>
        <MemberSelect multiple value={def.scope?.member_ids ?? []} onChange={(ids) => onChange({ ...def, scope: { ...def.scope, member_ids: ids } })} />
      </L>
      <L label={t('ap.d.scopeDepts')}>
        <DeptSelect multiple value={def.scope?.department_ids ?? []} onChange={(ids) => onChange({ ...def, scope: { ...def.scope, department_ids: ids } })} />
      </L>
      <div className="ap-wide hd-muted">{t('ap.d.scopeEveryone')}</div>
    </div>
  );
}

function SettingsEditor({ def, onChange }: { def: TemplateDefinition; onChange: (d: TemplateDefinition) => void }) {
  const { t } = useI18n();
  const s = def.settings ?? {};
  return (
    <Space direction="vertical">
      <span>
        <Switch checked={s.allow_withdraw_after_approval ?? false} onChange={(v) => onChange({ ...def, settings: { ...s, allow_withdraw_after_approval: v } })} /> {t('ap.d.allowWithdraw')}
      </span>
      <span>
        <Switch checked={s.require_reject_comment ?? true} onChange={(v) => onChange({ ...def, settings: { ...s, require_reject_comment: v } })} /> {t('ap.d.requireReject')}
      </span>
    </Space>
  );
}
