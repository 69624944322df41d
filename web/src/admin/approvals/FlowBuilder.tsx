// Approval flow builder of the template designer: approver/CC/branch nodes, sources and branch conditions.
import { Button, Checkbox, Dropdown, Input, InputNumber, Select, Space, Tag } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, BranchesOutlined, DeleteOutlined, PlusOutlined, SendOutlined, UserOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n/I18nProvider';
import { appendNode, moveNode, newNodeId, numericControls, pick, removeNode, updateNode, type ListRef } from '../../approvals/logic';
import { DeptSelect, MemberSelect } from '../../approvals/pickers';
import type { ApproverSource, Branch, Condition, FlowDef, FlowNode, FormSchema, LeaveType, Role, SignMode, SourceType } from '../../approvals/types';
import { L } from './Labeled';

const SOURCES: SourceType[] = ['members', 'manager', 'manager_chain', 'department_leader', 'role', 'applicant_choice', 'applicant'];

interface FlowCtx {
  form: FormSchema;
  roles: Role[];
  leaveTypes: LeaveType[];
  errorId: string | null;
  nodes: FlowNode[];
  set: (nodes: FlowNode[]) => void;
}

export function FlowEditor({ flow, onChange, form, roles, leaveTypes, errorId }: { flow: FlowDef; onChange: (f: FlowDef) => void; form: FormSchema; roles: Role[]; leaveTypes: LeaveType[]; errorId: string | null }) {
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
