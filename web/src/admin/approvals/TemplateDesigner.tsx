// Template designer: basics, form controls, approval flow and settings. One save makes a new
// immutable version on the server; errors naming form.<control> or flow.<node> are highlighted.
import { Alert, App as AntApp, AutoComplete, Button, Checkbox, Dropdown, Input, InputNumber, Radio, Select, Space, Switch, Tabs, Tag } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, BranchesOutlined, DeleteOutlined, PlusOutlined, SendOutlined, UserOutlined } from '@ant-design/icons';
import { useEffect, useState, type ReactNode } from 'react';
import { useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { Loading } from '../../components/States';
import { ErrorAlert } from '../../components/ErrorAlert';
import { describeError } from '../../i18n/errors';
import { useI18n } from '../../i18n/I18nProvider';
import { approvalsApi } from '../../approvals/api';
import { ICON_VIEW, TemplateIcon } from '../../approvals/common';
import { appendNode, errorTarget, move, moveNode, newControlId, newNodeId, numericControls, pick, removeNode, updateNode, type ListRef } from '../../approvals/logic';
import { DeptSelect, MemberSelect } from '../../approvals/pickers';
import type { ApproverSource, Branch, Condition, Control, ControlKind, ControlType, FlowDef, FlowNode, FormSchema, LeaveType, Role, SignMode, SourceType, TemplateDefinition } from '../../approvals/types';
import { ICONS } from '../../approvals/types';
import { defaultKind, emptyDefinition } from './designer';

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
const COLUMN_KINDS: ControlType[] = ['text', 'textarea', 'number', 'money', 'date', 'date_range', 'select', 'contact', 'attachment', 'location'];
const SOURCES: SourceType[] = ['members', 'manager', 'manager_chain', 'department_leader', 'role', 'applicant_choice', 'applicant'];

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

function L({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <label className={wide ? 'ap-wide' : undefined}>
      <span className="ap-mini-label">{label}</span>
      {children}
    </label>
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

function ControlsEditor({
  controls,
  onChange,
  errorId,
  kinds,
  schema,
  column,
}: {
  controls: Control[];
  onChange: (c: Control[]) => void;
  errorId: string | null;
  kinds: ControlType[];
  schema: FormSchema;
  column?: boolean;
}) {
  const { t } = useI18n();
  const [added, setAdded] = useState<string | null>(null);
  const add = (type: ControlType) => {
    const id = newControlId(controls, type);
    setAdded(id);
    onChange([...controls, { id, title: { zh: t(`ap.d.kind.${type}`), en: '' }, required: false, kind: defaultKind(type) }]);
  };
  return (
    <div data-testid={column ? 'ap-columns' : 'ap-controls'}>
      {controls.length === 0 && <div className="hd-muted">{t('ap.d.noControls')}</div>}
      {controls.map((c, i) => (
        <ControlCard
          key={`${i}-${c.id}`}
          control={c}
          index={i}
          count={controls.length}
          error={errorId === c.id}
          defaultOpen={c.id === added || !!column}
          before={controls.slice(0, i)}
          schema={schema}
          column={column}
          onChange={(nc) => onChange(controls.map((x, j) => (j === i ? nc : x)))}
          onMove={(d) => onChange(move(controls, i, d))}
          onRemove={() => onChange(controls.filter((_, j) => j !== i))}
        />
      ))}
      <Dropdown menu={{ items: kinds.map((k) => ({ key: k, label: <span data-testid={`ap-add-kind-${k}`}>{t(`ap.d.kind.${k}`)}</span> })), onClick: (e) => add(e.key as ControlType) }} trigger={['click']}>
        <Button type="dashed" icon={<PlusOutlined />} data-testid={column ? 'ap-add-column' : 'ap-add-control'}>
          {column ? t('ap.d.addColumn') : t('ap.d.addControl')}
        </Button>
      </Dropdown>
    </div>
  );
}

function ControlCard({
  control: c,
  index,
  count,
  error,
  defaultOpen,
  before,
  schema,
  column,
  onChange,
  onMove,
  onRemove,
}: {
  control: Control;
  index: number;
  count: number;
  error: boolean;
  defaultOpen?: boolean;
  before: Control[];
  schema: FormSchema;
  column?: boolean;
  onChange: (c: Control) => void;
  onMove: (d: number) => void;
  onRemove: () => void;
}) {
  const { t, locale } = useI18n();
  const k = c.kind;
  const setKind = (nk: ControlKind) => onChange({ ...c, kind: nk });
  const selects = before.filter((x) => x.kind.type === 'select');
  const vwSel = selects.find((x) => x.id === c.visible_when?.control_id);
  const hasValue = k.type !== 'description' && k.type !== 'formula';
  const [open, setOpen] = useState(!!defaultOpen || error);
  useEffect(() => {
    if (error) setOpen(true);
  }, [error]);
  return (
    <div className={`ap-ctl${error ? ' ap-ctl-error' : ''}`} data-testid="ap-ctl" data-control-id={c.id}>
      <div className="ap-ctl-head">
        <Tag>{t(`ap.d.kind.${k.type}`)}</Tag>
        <button type="button" className="ap-ctl-title ap-ctl-toggle" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="ap-ctl-toggle">
          {open ? '▾' : '▸'} {c.required && <span className="ap-req">*</span>}
          {pick(c.title, locale) || c.id}
        </button>
        {hasValue && (
          <Checkbox checked={!!c.required} onChange={(e) => onChange({ ...c, required: e.target.checked })}>
            {t('ap.d.required')}
          </Checkbox>
        )}
        <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={index === 0} onClick={() => onMove(-1)} aria-label={t('ap.d.moveUp')} />
        <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={index === count - 1} onClick={() => onMove(1)} aria-label={t('ap.d.moveDown')} />
        <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('ap.d.remove')} data-testid="ap-ctl-remove" />
      </div>
      {open && (
      <div className="ap-ctl-body">
        <L label={t('ap.d.controlId')}>
          <Input value={c.id} onChange={(e) => onChange({ ...c, id: e.target.value.replace(/[^A-Za-z0-9_-]/g, '') })} maxLength={64} />
        </L>
        <L label={t('ap.d.titleZh')}>
          <Input value={c.title.zh} onChange={(e) => onChange({ ...c, title: { ...c.title, zh: e.target.value } })} data-testid="ap-ctl-title-zh" />
        </L>
        <L label={t('ap.d.titleEn')}>
          <Input value={c.title.en ?? ''} onChange={(e) => onChange({ ...c, title: { ...c.title, en: e.target.value } })} />
        </L>
        {hasValue && (
          <>
            <L label={t('ap.d.placeholderZh')}>
              <Input value={c.placeholder?.zh ?? ''} onChange={(e) => onChange({ ...c, placeholder: { zh: e.target.value, en: c.placeholder?.en ?? '' } })} />
            </L>
            <L label={t('ap.d.placeholderEn')}>
              <Input value={c.placeholder?.en ?? ''} onChange={(e) => onChange({ ...c, placeholder: { zh: c.placeholder?.zh ?? '', en: e.target.value } })} />
            </L>
          </>
        )}
        {k.type === 'number' && (
          <>
            <L label={t('ap.d.unit')}>
              <Input value={k.unit ?? ''} onChange={(e) => setKind({ ...k, unit: e.target.value || null })} />
            </L>
            <L label={t('ap.d.decimals')}>
              <InputNumber min={0} max={6} value={k.decimals ?? 0} onChange={(v) => setKind({ ...k, decimals: v ?? 0 })} />
            </L>
          </>
        )}
        {k.type === 'money' && (
          <L label={t('ap.d.currency')}>
            <Input value={k.currency ?? 'CNY'} onChange={(e) => setKind({ ...k, currency: e.target.value })} maxLength={3} />
          </L>
        )}
        {(k.type === 'date' || k.type === 'date_range') && (
          <Checkbox checked={!!k.with_time} onChange={(e) => setKind({ ...k, with_time: e.target.checked })}>
            {t('ap.d.withTime')}
          </Checkbox>
        )}
        {k.type === 'contact' && (
          <Space direction="vertical">
            <Checkbox checked={!!k.departments} onChange={(e) => setKind({ ...k, departments: e.target.checked })}>
              {t('ap.d.departments')}
            </Checkbox>
            <Checkbox checked={!!k.multiple} onChange={(e) => setKind({ ...k, multiple: e.target.checked })}>
              {t('ap.d.multiple')}
            </Checkbox>
          </Space>
        )}
        {k.type === 'select' && (
          <div className="ap-wide">
            <Checkbox checked={!!k.multiple} onChange={(e) => setKind({ ...k, multiple: e.target.checked })}>
              {t('ap.d.multiple')}
            </Checkbox>
            <span className="ap-mini-label">{t('ap.d.options')}</span>
            {k.options.map((o, i) => (
              <Space.Compact key={i} style={{ width: '100%', marginBottom: 4 }}>
                <Input style={{ width: '25%' }} value={o.id} onChange={(e) => setKind({ ...k, options: k.options.map((x, j) => (j === i ? { ...x, id: e.target.value.replace(/[^A-Za-z0-9_-]/g, '') } : x)) })} aria-label="id" />
                <Input value={o.label.zh} placeholder="中文" onChange={(e) => setKind({ ...k, options: k.options.map((x, j) => (j === i ? { ...x, label: { ...x.label, zh: e.target.value } } : x)) })} />
                <Input value={o.label.en ?? ''} placeholder="English" onChange={(e) => setKind({ ...k, options: k.options.map((x, j) => (j === i ? { ...x, label: { ...x.label, en: e.target.value } } : x)) })} />
                <Button icon={<DeleteOutlined />} onClick={() => setKind({ ...k, options: k.options.filter((_, j) => j !== i) })} aria-label={t('ap.d.remove')} />
              </Space.Compact>
            ))}
            <Button size="small" icon={<PlusOutlined />} onClick={() => setKind({ ...k, options: [...k.options, { id: `opt${k.options.length + 1}`, label: { zh: `选项${k.options.length + 1}`, en: '' } }] })}>
              {t('ap.d.addOption')}
            </Button>
          </div>
        )}
        {k.type === 'description' && (
          <>
            <L label={`${t('ap.d.descText')} (中文)`} wide>
              <Input.TextArea value={k.text.zh} autoSize onChange={(e) => setKind({ ...k, text: { ...k.text, zh: e.target.value } })} />
            </L>
            <L label={`${t('ap.d.descText')} (English)`} wide>
              <Input.TextArea value={k.text.en ?? ''} autoSize onChange={(e) => setKind({ ...k, text: { ...k.text, en: e.target.value } })} />
            </L>
          </>
        )}
        {k.type === 'formula' && (
          <>
            <L label={t('ap.d.expression')} wide>
              <Input value={k.expression} onChange={(e) => setKind({ ...k, expression: e.target.value })} placeholder="items.amount * 1.06" data-testid="ap-ctl-formula" />
              <span className="hd-muted">{t('ap.d.expressionHelp')}</span>
            </L>
            <L label={t('ap.d.decimals')}>
              <InputNumber min={0} max={6} value={k.decimals ?? 2} onChange={(v) => setKind({ ...k, decimals: v ?? 2 })} />
            </L>
          </>
        )}
        {k.type === 'table' && (
          <div className="ap-wide">
            <span className="ap-mini-label">{t('ap.d.columns')}</span>
            <ControlsEditor controls={k.columns} onChange={(columns) => setKind({ ...k, columns })} errorId={null} kinds={COLUMN_KINDS} schema={schema} column />
          </div>
        )}
        {!column && (
          <div className="ap-wide">
            <span className="ap-mini-label">{t('ap.d.visibleWhen')}</span>
            <Space wrap>
              <Select
                style={{ minWidth: 160 }}
                value={c.visible_when?.control_id ?? ''}
                onChange={(v: string) => onChange({ ...c, visible_when: v ? { control_id: v, option_ids: [] } : null })}
                options={[{ value: '', label: t('ap.d.visibleWhenNone') }, ...selects.map((s) => ({ value: s.id, label: pick(s.title, locale) || s.id }))]}
                aria-label={t('ap.d.visibleWhen')}
              />
              {vwSel && vwSel.kind.type === 'select' && (
                <Select
                  mode="multiple"
                  style={{ minWidth: 200 }}
                  placeholder={t('ap.d.visibleOptions')}
                  value={c.visible_when?.option_ids ?? []}
                  onChange={(ids: string[]) => onChange({ ...c, visible_when: { control_id: vwSel.id, option_ids: ids } })}
                  options={vwSel.kind.options.map((o) => ({ value: o.id, label: pick(o.label, locale) || o.id }))}
                />
              )}
            </Space>
          </div>
        )}
      </div>
      )}
    </div>
  );
}

// ---- Flow ----

interface FlowCtx {
  form: FormSchema;
  roles: Role[];
  leaveTypes: LeaveType[];
  errorId: string | null;
  nodes: FlowNode[];
  set: (nodes: FlowNode[]) => void;
}

function FlowEditor({ flow, onChange, form, roles, leaveTypes, errorId }: { flow: FlowDef; onChange: (f: FlowDef) => void; form: FormSchema; roles: Role[]; leaveTypes: LeaveType[]; errorId: string | null }) {
  const { t } = useI18n();
  const ctx: FlowCtx = { form, roles, leaveTypes, errorId, nodes: flow.nodes, set: (nodes) => onChange({ ...flow, nodes }) };
  return (
    <div data-testid="ap-flow-editor" style={{ maxWidth: 860 }}>
      <div className="ap-node ap-node-cc" style={{ borderLeftColor: '#8c8c8c' }}>
        <UserOutlined /> {t('ap.flow.applicant')}
      </div>
      <NodeList list={flow.nodes} where={{ root: true }} ctx={ctx} />
      <div className="ap-ctl" style={{ marginTop: 16 }}>
        <Space direction="vertical">
          <span>
            {t('ap.d.missing')}{' '}
            <Select
              value={flow.missing_approver ?? 'auto_pass'}
              onChange={(v) => onChange({ ...flow, missing_approver: v })}
              options={(['auto_pass', 'to_admins'] as const).map((v) => ({ value: v, label: t(`ap.d.missing.${v}`) }))}
              style={{ minWidth: 180 }}
            />
          </span>
          <Checkbox checked={flow.skip_self !== false} onChange={(e) => onChange({ ...flow, skip_self: e.target.checked })}>
            {t('ap.d.skipSelf')}
          </Checkbox>
          <Checkbox checked={!!flow.dedupe_consecutive} onChange={(e) => onChange({ ...flow, dedupe_consecutive: e.target.checked })}>
            {t('ap.d.dedupe')}
          </Checkbox>
        </Space>
      </div>
    </div>
  );
}

function NodeList({ list, where, ctx }: { list: FlowNode[]; where: ListRef; ctx: FlowCtx }) {
  const { t } = useI18n();
  const scope = 'root' in where ? 'root' : `${where.branchNode}-${where.branch}`;
  const add = (type: 'approver' | 'cc' | 'branch') => {
    const id = newNodeId(ctx.nodes, type === 'approver' ? 'approver' : type);
    const node: FlowNode =
      type === 'approver'
        ? { type, id, name: '', source: { type: 'manager', level: 1 }, mode: 'any' }
        : type === 'cc'
          ? { type, id, name: '', source: { type: 'members', member_ids: [] } }
          : { type, id, branches: [{ name: '', priority: 1, conditions: [], nodes: [] }], default: [] };
    ctx.set(appendNode(ctx.nodes, where, node));
  };
  return (
    <div className="ap-node-list" data-testid={`ap-node-list-${scope}`}>
      {list.length === 0 && !('root' in where) && <div className="hd-muted">{t('ap.d.noNodes')}</div>}
      {list.map((n, i) => (
        <NodeCard key={n.id} node={n} first={i === 0} last={i === list.length - 1} ctx={ctx} />
      ))}
      <div className="ap-list-add">
        <Button size="small" icon={<PlusOutlined />} onClick={() => add('approver')} data-testid={`ap-add-approver-${scope}`}>
          {t('ap.d.addApprover')}
        </Button>
        <Button size="small" icon={<SendOutlined />} onClick={() => add('cc')} data-testid={`ap-add-cc-${scope}`}>
          {t('ap.d.addCc')}
        </Button>
        <Button size="small" icon={<BranchesOutlined />} onClick={() => add('branch')} data-testid={`ap-add-branch-${scope}`}>
          {t('ap.d.addBranch')}
        </Button>
      </div>
    </div>
  );
}

function NodeCard({ node: n, first, last, ctx }: { node: FlowNode; first: boolean; last: boolean; ctx: FlowCtx }) {
  const { t } = useI18n();
  const upd = (fn: (n: FlowNode) => FlowNode) => ctx.set(updateNode(ctx.nodes, n.id, fn));
  const head = (
    <div className="ap-ctl-head">
      <Tag color={n.type === 'approver' ? 'blue' : n.type === 'cc' ? 'green' : 'orange'}>
        {t(n.type === 'approver' ? 'ap.d.nodeApprover' : n.type === 'cc' ? 'ap.d.nodeCc' : 'ap.d.nodeBranch')}
      </Tag>
      <span className="ap-ctl-title hd-muted">{n.id}</span>
      <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={first} onClick={() => ctx.set(moveNode(ctx.nodes, n.id, -1))} aria-label={t('ap.d.moveUp')} />
      <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={last} onClick={() => ctx.set(moveNode(ctx.nodes, n.id, 1))} aria-label={t('ap.d.moveDown')} />
      <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => ctx.set(removeNode(ctx.nodes, n.id))} aria-label={t('ap.d.remove')} data-testid="ap-node-remove" />
    </div>
  );
  const cls = `ap-node${n.type === 'cc' ? ' ap-node-cc' : n.type === 'branch' ? ' ap-node-branch' : ''}${ctx.errorId === n.id ? ' ap-node-error' : ''}`;
  if (n.type === 'branch') {
    return (
      <div className={cls} data-testid="ap-node" data-node-id={n.id} data-node-type="branch">
        {head}
        <div className="ap-branches">
          {n.branches.map((b, i) => (
            <BranchCard
              key={i}
              branch={b}
              index={i}
              nodeId={n.id}
              ctx={ctx}
              onChange={(nb) => upd((x) => (x.type === 'branch' ? { ...x, branches: x.branches.map((y, j) => (j === i ? nb : y)) } : x))}
              onRemove={() => upd((x) => (x.type === 'branch' ? { ...x, branches: x.branches.filter((_, j) => j !== i) } : x))}
            />
          ))}
          <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => upd((x) => (x.type === 'branch' ? { ...x, branches: [...x.branches, { name: '', priority: x.branches.length + 1, conditions: [], nodes: [] }] } : x))}>
            {t('ap.d.addBranchItem')}
          </Button>
          <div className="ap-branch">
            <strong>{t('ap.d.default')}</strong>
            <NodeList list={n.default ?? []} where={{ branchNode: n.id, branch: 'default' }} ctx={ctx} />
          </div>
        </div>
      </div>
    );
  }
  return (
    <div className={cls} data-testid="ap-node" data-node-id={n.id} data-node-type={n.type}>
      {head}
      <div className="ap-ctl-body">
        <L label={t('ap.d.nodeName')}>
          <Input value={n.name ?? ''} onChange={(e) => upd((x) => ({ ...x, name: e.target.value }) as FlowNode)} data-testid="ap-node-name" />
        </L>
        <SourceEditor source={n.source} roles={ctx.roles} onChange={(source) => upd((x) => (x.type === 'branch' ? x : ({ ...x, source } as FlowNode)))} />
        {n.type === 'approver' && (
          <L label={t('ap.d.mode')}>
            <Select
              value={n.mode}
              onChange={(mode: SignMode) => upd((x) => (x.type === 'approver' ? { ...x, mode } : x))}
              options={(['all', 'any', 'sequential'] as const).map((m) => ({ value: m, label: t(`ap.flow.mode.${m}`) }))}
              style={{ width: '100%' }}
              data-testid="ap-node-mode"
            />
          </L>
        )}
      </div>
    </div>
  );
}

function SourceEditor({ source, roles, onChange }: { source: ApproverSource; roles: Role[]; onChange: (s: ApproverSource) => void }) {
  const { t } = useI18n();
  const switchTo = (type: SourceType): ApproverSource => {
    switch (type) {
      case 'members':
        return { type, member_ids: [] };
      case 'manager':
        return { type, level: 1 };
      case 'manager_chain':
        return { type, up_to_level: 2 };
      case 'department_leader':
        return { type, level: 1 };
      case 'role':
        return { type, role_id: roles[0]?.id ?? '' };
      case 'applicant_choice':
        return { type, multiple: false };
      default:
        return { type: 'applicant' };
    }
  };
  return (
    <>
      <L label={t('ap.d.source')}>
        <Select
          value={source.type}
          onChange={(v: SourceType) => onChange(switchTo(v))}
          options={SOURCES.map((s) => ({ value: s, label: <span data-testid={`ap-src-${s}`}>{t(`ap.d.src.${s}`)}</span> }))}
          style={{ width: '100%' }}
          data-testid="ap-node-source"
        />
      </L>
      {source.type === 'members' && (
        <L label={t('ap.d.src.members')}>
          <MemberSelect multiple value={source.member_ids} onChange={(ids) => onChange({ ...source, member_ids: ids })} testId="ap-node-members" />
        </L>
      )}
      {(source.type === 'manager' || source.type === 'department_leader') && (
        <L label={t('ap.d.level')}>
          <InputNumber min={1} max={20} value={source.level} onChange={(v) => onChange({ ...source, level: v ?? 1 })} data-testid="ap-node-level" />
          <span className="hd-muted"> {source.type === 'manager' && (source.level === 1 ? t('ap.d.directManager') : t('ap.d.managerLevel', { n: source.level }))}</span>
        </L>
      )}
      {source.type === 'manager_chain' && (
        <L label={t('ap.d.upTo')}>
          <InputNumber min={1} max={20} value={source.up_to_level} onChange={(v) => onChange({ ...source, up_to_level: v ?? 1 })} />
        </L>
      )}
      {source.type === 'role' && (
        <L label={t('ap.d.src.role')}>
          <Select
            value={source.role_id || undefined}
            onChange={(v: string) => onChange({ ...source, role_id: v })}
            options={roles.map((r) => ({ value: r.id, label: <span data-testid="ap-role-option">{r.name}</span> }))}
            style={{ width: '100%' }}
            data-testid="ap-node-role"
          />
        </L>
      )}
      {source.type === 'applicant_choice' && (
        <Checkbox checked={!!source.multiple} onChange={(e) => onChange({ ...source, multiple: e.target.checked })}>
          {t('ap.d.multiple')}
        </Checkbox>
      )}
    </>
  );
}

function BranchCard({ branch: b, index, nodeId, ctx, onChange, onRemove }: { branch: Branch; index: number; nodeId: string; ctx: FlowCtx; onChange: (b: Branch) => void; onRemove: () => void }) {
  const { t, locale } = useI18n();
  const numeric = numericControls(ctx.form);
  const selects = ctx.form.controls.filter((c) => c.kind.type === 'select' || c.kind.type === 'leave');
  const setCond = (i: number, c: Condition) => onChange({ ...b, conditions: b.conditions.map((x, j) => (j === i ? c : x)) });
  const newCond = (type: Condition['type']): Condition =>
    type === 'applicant_department'
      ? { type, department_ids: [] }
      : type === 'number_range'
        ? { type, control_id: numeric[0]?.id ?? '', min: null, max: null }
        : { type, control_id: selects[0]?.id ?? '', option_ids: [] };
  const optionsOf = (id: string) => {
    const c = ctx.form.controls.find((x) => x.id === id);
    if (c?.kind.type === 'select') return c.kind.options.map((o) => ({ value: o.id, label: pick(o.label, locale) || o.id }));
    if (c?.kind.type === 'leave') return ctx.leaveTypes.map((lt) => ({ value: lt.key, label: pick(lt.name, locale) }));
    return [];
  };
  return (
    <div className="ap-branch" data-testid="ap-branch">
      <div className="ap-ctl-head">
        <strong>{b.name || t('ap.d.branchN', { n: index + 1 })}</strong>
        <span style={{ flex: 1 }} />
        <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('ap.d.remove')} />
      </div>
      <div className="ap-ctl-body">
        <L label={t('ap.d.branchName')}>
          <Input value={b.name ?? ''} onChange={(e) => onChange({ ...b, name: e.target.value })} />
        </L>
        <L label={t('ap.d.priority')}>
          <InputNumber value={b.priority} onChange={(v) => onChange({ ...b, priority: v ?? 0 })} />
        </L>
        {b.conditions.map((c, i) => (
          <div className="ap-wide" key={i}>
            <Space wrap>
              <Tag>{t(`ap.d.cond.${c.type}`)}</Tag>
              {c.type === 'applicant_department' && (
                <div style={{ minWidth: 240 }}>
                  <DeptSelect multiple value={c.department_ids} onChange={(ids) => setCond(i, { ...c, department_ids: ids })} />
                </div>
              )}
              {c.type === 'number_range' && (
                <>
                  <Select value={c.control_id} onChange={(v: string) => setCond(i, { ...c, control_id: v })} options={numeric.map((x) => ({ value: x.id, label: pick(x.title, locale) || x.id }))} style={{ minWidth: 140 }} aria-label={t('ap.d.condControl')} />
                  <InputNumber value={c.min ?? null} onChange={(v) => setCond(i, { ...c, min: v })} placeholder={t('ap.d.min')} aria-label={t('ap.d.min')} />
                  <InputNumber value={c.max ?? null} onChange={(v) => setCond(i, { ...c, max: v })} placeholder={t('ap.d.max')} aria-label={t('ap.d.max')} />
                </>
              )}
              {c.type === 'select_any' && (
                <>
                  <Select value={c.control_id} onChange={(v: string) => setCond(i, { ...c, control_id: v, option_ids: [] })} options={selects.map((x) => ({ value: x.id, label: pick(x.title, locale) || x.id }))} style={{ minWidth: 140 }} aria-label={t('ap.d.condControl')} />
                  <Select mode="multiple" value={c.option_ids} onChange={(v: string[]) => setCond(i, { ...c, option_ids: v })} options={optionsOf(c.control_id)} style={{ minWidth: 200 }} />
                </>
              )}
              <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => onChange({ ...b, conditions: b.conditions.filter((_, j) => j !== i) })} aria-label={t('ap.d.remove')} />
            </Space>
          </div>
        ))}
        <div className="ap-wide">
          <Dropdown
            trigger={['click']}
            menu={{
              items: (['applicant_department', 'number_range', 'select_any'] as const).map((k) => ({ key: k, label: t(`ap.d.cond.${k}`) })),
              onClick: (e) => onChange({ ...b, conditions: [...b.conditions, newCond(e.key as Condition['type'])] }),
            }}
          >
            <Button size="small" icon={<PlusOutlined />}>
              {t('ap.d.addCondition')}
            </Button>
          </Dropdown>
        </div>
      </div>
      <NodeList list={b.nodes} where={{ branchNode: nodeId, branch: index }} ctx={ctx} />
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
