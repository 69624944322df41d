// Admin console → 审批: templates, approval roles, leave types, leave balances and export.
import { App as AntApp, type ButtonProps, Button, Input, InputNumber, Modal, Popconfirm, Select, Space, Switch, Table, Tabs, Tag } from 'antd';
import { DeleteOutlined, DownloadOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { describeError } from '../../i18n/errors';
import { useI18n } from '../../i18n/I18nProvider';
import { formatTime } from '../../lib/format';
import { approvalsApi } from '../../approvals/api';
import { TemplateIcon } from '../../approvals/common';
import { formatDuration, pick } from '../../approvals/logic';
import { DeptSelect, MemberNames, MemberSelect } from '../../approvals/pickers';
import type { LeaveBalance, LeaveType, LedgerEntry, QuotaRule, Role, Template } from '../../approvals/types';

const SECTIONS = ['templates', 'roles', 'leave-types', 'balances', 'export'] as const;
const SECTION_LABEL = {
  templates: 'ap.admin.templates',
  roles: 'ap.admin.roles',
  'leave-types': 'ap.admin.leaveTypes',
  balances: 'ap.admin.balances',
  export: 'ap.admin.export',
} as const;

export function ApprovalsAdmin() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const tab = (SECTIONS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as (typeof SECTIONS)[number]) : 'templates';
  return (
    <div data-testid="ap-admin">
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams({ tab: k }, { replace: true })}
        items={SECTIONS.map((k) => ({
          key: k,
          label: <span data-testid={`ap-admin-tab-${k}`}>{t(SECTION_LABEL[k])}</span>,
          children:
            k === 'templates' ? <TemplatesSection /> : k === 'roles' ? <RolesSection /> : k === 'leave-types' ? <LeaveTypesSection /> : k === 'balances' ? <BalancesSection /> : <ExportSection />,
        }))}
      />
    </div>
  );
}

function TemplatesSection() {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const [items, setItems] = useState<Template[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    approvalsApi.templates(true).then(
      (r) => setItems(r.items),
      (e) => setError(describeError(t, e)),
    );
  }, [t]);
  useEffect(load, [load]);
  return (
    <div data-testid="ap-admin-templates">
      <div className="ap-admin-toolbar">
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/admin/approvals/templates/new')} data-testid="ap-template-new">
          {t('ap.admin.newTemplate')}
        </Button>
      </div>
      <ErrorAlert error={error} />
      <Table<Template>
        rowKey="id"
        loading={!items}
        dataSource={items ?? []}
        pagination={false}
        scroll={{ x: 760 }}
        onRow={(r) => ({ 'data-testid': 'ap-template-row', 'data-name': r.definition.name.zh }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('ap.admin.name'),
            width: 220,
            render: (_, r) => (
              <Space className="ap-nowrap">
                <TemplateIcon icon={r.definition.icon ?? ''} size={28} />
                <span>{pick(r.definition.name, locale)}</span>
                {r.builtin && <Tag>{t('ap.admin.builtin')}</Tag>}
              </Space>
            ),
          },
          { title: t('ap.admin.group'), width: 90, render: (_, r) => <span className="ap-nowrap">{r.definition.group}</span> },
          { title: t('ap.admin.version', { n: '' }).trim(), dataIndex: 'version', width: 80 },
          {
            title: t('ap.admin.enabled'),
            width: 90,
            render: (_, r) => (
              <Switch
                checked={r.enabled}
                aria-label={t('ap.admin.enabled')}
                onChange={(v) =>
                  approvalsApi.setEnabled(r.id, v).then(load, (e) => message.error(describeError(t, e)))
                }
                data-testid="ap-template-enabled"
              />
            ),
          },
          { title: t('ap.admin.updated'), render: (_, r) => <span className="ap-nowrap">{formatTime(r.updated_at, locale)}</span> },
          {
            title: t('common.actions'),
            render: (_, r) => (
              <Space>
                <Button size="small" icon={<EditOutlined />} onClick={() => navigate(`/admin/approvals/templates/${r.id}`)} data-testid="ap-template-edit">
                  {t('common.edit')}
                </Button>
                <Popconfirm title={t('ap.admin.deleteConfirm')} onConfirm={() => approvalsApi.deleteTemplate(r.id).then(load, (e) => message.error(describeError(t, e)))} okText={t('common.delete')} cancelText={t('common.cancel')}>
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
    </div>
  );
}

function RolesSection() {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [items, setItems] = useState<Role[] | null>(null);
  const [editing, setEditing] = useState<{ id: string | null; name: string; member_ids: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    approvalsApi.roles().then(
      (r) => setItems(r.items),
      (e) => setError(describeError(t, e)),
    );
  }, [t]);
  useEffect(load, [load]);
  const save = async () => {
    if (!editing) return;
    setBusy(true);
    try {
      const body = { name: editing.name.trim(), member_ids: editing.member_ids };
      if (editing.id) await approvalsApi.updateRole(editing.id, body);
      else await approvalsApi.createRole(body);
      setEditing(null);
      load();
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div data-testid="ap-admin-roles">
      <div className="ap-admin-toolbar">
        <Button type="primary" icon={<PlusOutlined />} onClick={() => { setError(null); setEditing({ id: null, name: '', member_ids: [] }); }} data-testid="ap-role-new">
          {t('ap.roles.new')}
        </Button>
      </div>
      {!editing && <ErrorAlert error={error} />}
      <Table<Role>
        rowKey="id"
        loading={!items}
        dataSource={items ?? []}
        pagination={false}
        locale={{ emptyText: t('ap.roles.empty') }}
        onRow={(r) => ({ 'data-testid': 'ap-role-row', 'data-name': r.name }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('ap.roles.name'), dataIndex: 'name' },
          { title: t('ap.roles.members'), render: (_, r) => <MemberNames ids={r.member_ids} /> },
          {
            title: t('common.actions'),
            render: (_, r) => (
              <Space>
                <Button size="small" icon={<EditOutlined />} onClick={() => { setError(null); setEditing({ id: r.id, name: r.name, member_ids: r.member_ids }); }}>
                  {t('common.edit')}
                </Button>
                <Popconfirm title={t('ap.roles.deleteConfirm')} onConfirm={() => approvalsApi.deleteRole(r.id).then(load, (e) => message.error(describeError(t, e)))} okText={t('common.delete')} cancelText={t('common.cancel')}>
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing?.id ? t('common.edit') : t('ap.roles.new')}
        onCancel={() => setEditing(null)}
        onOk={save}
        confirmLoading={busy}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ disabled: !editing?.name.trim(), 'data-testid': 'ap-role-ok' } as ButtonProps}
        destroyOnHidden
      >
        {editing && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <label>
              <span className="ap-mini-label">{t('ap.roles.name')}</span>
              <Input value={editing.name} maxLength={30} onChange={(e) => setEditing({ ...editing, name: e.target.value })} data-testid="ap-role-name" autoFocus />
            </label>
            <label>
              <span className="ap-mini-label">{t('ap.roles.members')}</span>
              <MemberSelect multiple value={editing.member_ids} onChange={(ids) => setEditing({ ...editing, member_ids: ids })} testId="ap-role-members" />
            </label>
            <ErrorAlert error={error} />
          </Space>
        )}
      </Modal>
    </div>
  );
}


const UNITS = ['day', 'half_day', 'hour'] as const;
const QUOTAS = ['unlimited', 'manual', 'fixed', 'by_seniority'] as const;

function LeaveTypesSection() {
  const { t } = useI18n();
  const { message } = AntApp.useApp();
  const [items, setItems] = useState<LeaveType[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    approvalsApi.leaveTypes().then(
      (r) => setItems(r.items),
      (e) => setError(describeError(t, e)),
    );
  }, [t]);
  if (!items) return <ErrorAlert error={error} />;
  const set = (i: number, lt: LeaveType) => setItems(items.map((x, j) => (j === i ? lt : x)));
  const quotaOf = (type: QuotaRule['type']): QuotaRule =>
    type === 'fixed' ? { type, per_year: 5 } : type === 'by_seniority' ? { type, tiers: [{ min_years: 0, amount: 5 }] } : { type };
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await approvalsApi.saveLeaveTypes(items);
      setItems(r.items);
      message.success(t('common.saved'));
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div data-testid="ap-admin-leave-types">
      <ErrorAlert error={error} />
      {items.map((lt, i) => (
        <div className="ap-ctl" key={i} data-testid="ap-leave-type">
          <div className="ap-ctl-body">
            <label>
              <span className="ap-mini-label">{t('ap.lt.key')}</span>
              <Input value={lt.key} onChange={(e) => set(i, { ...lt, key: e.target.value.replace(/[^A-Za-z0-9_-]/g, '') })} />
            </label>
            <label>
              <span className="ap-mini-label">{t('ap.d.nameZh')}</span>
              <Input value={lt.name.zh} onChange={(e) => set(i, { ...lt, name: { ...lt.name, zh: e.target.value } })} />
            </label>
            <label>
              <span className="ap-mini-label">{t('ap.d.nameEn')}</span>
              <Input value={lt.name.en ?? ''} onChange={(e) => set(i, { ...lt, name: { ...lt.name, en: e.target.value } })} />
            </label>
            <label>
              <span className="ap-mini-label">{t('ap.lt.unit')}</span>
              <Select value={lt.unit} onChange={(v) => set(i, { ...lt, unit: v })} options={UNITS.map((u) => ({ value: u, label: t(`ap.lt.unit.${u}`) }))} style={{ width: '100%' }} />
            </label>
            <label>
              <span className="ap-mini-label">{t('ap.lt.hoursPerDay')}</span>
              <InputNumber min={1} max={24} value={lt.hours_per_day ?? 8} onChange={(v) => set(i, { ...lt, hours_per_day: v ?? 8 })} />
            </label>
            <label>
              <span className="ap-mini-label">{t('ap.lt.quota')}</span>
              <Select value={lt.quota.type} onChange={(v) => set(i, { ...lt, quota: quotaOf(v) })} options={QUOTAS.map((q) => ({ value: q, label: t(`ap.lt.quota.${q}`) }))} style={{ width: '100%' }} />
            </label>
            {lt.quota.type === 'fixed' && (
              <label>
                <span className="ap-mini-label">{t('ap.lt.perYear')}</span>
                <InputNumber min={0} step={0.5} value={lt.quota.per_year} onChange={(v) => set(i, { ...lt, quota: { type: 'fixed', per_year: v ?? 0 } })} />
              </label>
            )}
            {lt.quota.type === 'by_seniority' && (
              <div className="ap-wide">
                {lt.quota.tiers.map((tier, j) => {
                  const tiers = lt.quota.type === 'by_seniority' ? lt.quota.tiers : [];
                  const setTier = (nt: { min_years: number; amount: number }) => set(i, { ...lt, quota: { type: 'by_seniority', tiers: tiers.map((x, k) => (k === j ? nt : x)) } });
                  return (
                    <Space key={j} wrap style={{ marginBottom: 4 }}>
                      {t('ap.lt.minYears')}
                      <InputNumber min={0} value={tier.min_years} onChange={(v) => setTier({ ...tier, min_years: v ?? 0 })} />
                      {t('ap.lt.amount')}
                      <InputNumber min={0} step={0.5} value={tier.amount} onChange={(v) => setTier({ ...tier, amount: v ?? 0 })} />
                      <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => set(i, { ...lt, quota: { type: 'by_seniority', tiers: tiers.filter((_, k) => k !== j) } })} aria-label={t('ap.d.remove')} />
                    </Space>
                  );
                })}
                <Button size="small" icon={<PlusOutlined />} onClick={() => lt.quota.type === 'by_seniority' && set(i, { ...lt, quota: { type: 'by_seniority', tiers: [...lt.quota.tiers, { min_years: 10, amount: 10 }] } })}>
                  {t('ap.lt.addTier')}
                </Button>
              </div>
            )}
            <span>
              <Switch checked={lt.enabled !== false} onChange={(v) => set(i, { ...lt, enabled: v })} /> {t('ap.admin.enabled')}
            </span>
          </div>
        </div>
      ))}
      <Space>
        <Button icon={<PlusOutlined />} onClick={() => setItems([...items, { key: `type${items.length + 1}`, name: { zh: '', en: '' }, unit: 'day', hours_per_day: 8, quota: { type: 'manual' }, enabled: true }])}>
          {t('ap.lt.add')}
        </Button>
        <Button type="primary" onClick={save} loading={busy} data-testid="ap-leave-types-save">
          {t('common.save')}
        </Button>
      </Space>
    </div>
  );
}

function BalancesSection() {
  const { t, locale } = useI18n();
  const { message } = AntApp.useApp();
  const [member, setMember] = useState<string[]>([]);
  const [balances, setBalances] = useState<LeaveBalance[] | null>(null);
  const [ledger, setLedger] = useState<LedgerEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [adj, setAdj] = useState<{ leave_type?: string; amount: number | null; note: string }>({ amount: null, note: '' });
  const id = member[0];
  const load = useCallback(() => {
    if (!id) return;
    approvalsApi.balances(id).then(
      (r) => {
        setBalances(r.items);
        setError(null);
      },
      (e) => setError(describeError(t, e)),
    );
    approvalsApi.ledger(id).then((r) => setLedger(r.items), () => undefined);
  }, [id, t]);
  useEffect(load, [load]);
  const typeName = (key: string) => pick(balances?.find((b) => b.leave_type === key)?.name, locale) || key;
  const adjust = async () => {
    if (!id || !adj.leave_type || !adj.amount) return;
    try {
      await approvalsApi.adjust({ member_id: id, leave_type: adj.leave_type, amount: adj.amount, note: adj.note.trim() });
      setAdj({ leave_type: adj.leave_type, amount: null, note: '' });
      message.success(t('common.saved'));
      load();
    } catch (e) {
      setError(describeError(t, e));
    }
  };
  return (
    <div data-testid="ap-admin-balances">
      <div className="ap-admin-toolbar" style={{ maxWidth: 420 }}>
        <MemberSelect value={member} onChange={setMember} placeholder={t('ap.bal.pick')} testId="ap-bal-member" />
      </div>
      <ErrorAlert error={error} />
      {id && balances && (
        <>
          <Table<LeaveBalance>
            rowKey="leave_type"
            dataSource={balances}
            pagination={false}
            size="small"
            scroll={{ x: 480 }}
            columns={[
              { title: t('ap.bal.type'), render: (_, b) => pick(b.name, locale) },
              { title: t('ap.bal.balance'), render: (_, b) => (b.unlimited ? t('ap.unlimited') : formatDuration(b.balance, b.unit, locale)) },
              { title: t('ap.bal.reserved'), render: (_, b) => formatDuration(b.reserved, b.unit, locale) },
              { title: t('ap.bal.available'), render: (_, b) => (b.unlimited ? t('ap.unlimited') : formatDuration(b.available, b.unit, locale)) },
            ]}
          />
          <h3 className="ap-section-title" style={{ marginTop: 16 }}>
            {t('ap.bal.adjust')}
          </h3>
          <Space wrap>
            <Select
              style={{ minWidth: 140 }}
              value={adj.leave_type}
              onChange={(v) => setAdj({ ...adj, leave_type: v })}
              placeholder={t('ap.bal.type')}
              options={balances.filter((b) => !b.unlimited).map((b) => ({ value: b.leave_type, label: pick(b.name, locale) }))}
            />
            <InputNumber step={0.5} value={adj.amount} onChange={(v) => setAdj({ ...adj, amount: v })} placeholder={t('ap.bal.amount')} style={{ width: 200 }} aria-label={t('ap.bal.amount')} />
            <Input value={adj.note} onChange={(e) => setAdj({ ...adj, note: e.target.value })} placeholder={t('ap.bal.note')} aria-label={t('ap.bal.note')} style={{ width: 220 }} />
            <Button type="primary" onClick={adjust} disabled={!adj.leave_type || !adj.amount || !adj.note.trim()}>
              {t('ap.bal.adjust')}
            </Button>
          </Space>
          <h3 className="ap-section-title" style={{ marginTop: 16 }}>
            {t('ap.bal.ledger')}
          </h3>
          <Table<LedgerEntry>
            rowKey="id"
            dataSource={ledger}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            size="small"
            scroll={{ x: 560 }}
            columns={[
              { title: t('ap.admin.updated'), render: (_, e) => formatTime(e.created_at, locale) },
              { title: t('ap.bal.type'), render: (_, e) => typeName(e.leave_type) },
              { title: '', render: (_, e) => t(`ap.bal.kind.${e.kind}` as 'ap.bal.kind.grant') },
              { title: t('ap.bal.amount'), render: (_, e) => (e.amount > 0 ? `+${e.amount}` : e.amount) },
              { title: t('ap.bal.note'), dataIndex: 'note' },
            ]}
          />
        </>
      )}
    </div>
  );
}

function ExportSection() {
  const { t, locale } = useI18n();
  const [templates, setTemplates] = useState<Template[]>([]);
  const [q, setQ] = useState<{ template_id?: string; status?: string; from?: string; to?: string; department?: string[] }>({});
  useEffect(() => {
    approvalsApi.templates(true).then((r) => setTemplates(r.items), () => undefined);
  }, []);
  const ms = (d?: string, end = false) => (d ? new Date(`${d}T00:00:00`).getTime() + (end ? 86_400_000 : 0) : undefined);
  const url = approvalsApi.exportUrl({ template_id: q.template_id, status: q.status, from: ms(q.from), to: ms(q.to, true), department_id: q.department?.[0] });
  return (
    <div data-testid="ap-admin-export" style={{ maxWidth: 560 }}>
      <h3 className="ap-section-title">{t('ap.exp.title')}</h3>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Select allowClear style={{ width: '100%' }} placeholder={t('ap.filter.template')} value={q.template_id} onChange={(v) => setQ({ ...q, template_id: v })} options={templates.map((tp) => ({ value: tp.id, label: pick(tp.definition.name, locale) }))} />
        <Select allowClear style={{ width: '100%' }} placeholder={t('ap.filter.status')} value={q.status} onChange={(v) => setQ({ ...q, status: v })} options={(['pending', 'approved', 'rejected', 'withdrawn'] as const).map((s) => ({ value: s, label: t(`ap.status.${s}`) }))} />
        <span className="ap-mini-label">{t('ap.exp.range')}</span>
        <Space wrap>
          <Input type="date" value={q.from ?? ''} onChange={(e) => setQ({ ...q, from: e.target.value || undefined })} aria-label={t('ap.form.start')} />
          <Input type="date" value={q.to ?? ''} onChange={(e) => setQ({ ...q, to: e.target.value || undefined })} aria-label={t('ap.form.end')} />
        </Space>
        <span className="ap-mini-label">{t('ap.exp.department')}</span>
        <DeptSelect value={q.department ?? []} onChange={(ids) => setQ({ ...q, department: ids })} />
        <Button type="primary" icon={<DownloadOutlined />} href={url} download data-testid="ap-export-download">
          {t('ap.exp.download')}
        </Button>
      </Space>
    </div>
  );
}
