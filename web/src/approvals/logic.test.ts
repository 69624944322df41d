import { describe, expect, it } from 'vitest';
import {
  allNodeIds,
  appendNode,
  buildValues,
  columnSum,
  errorTarget,
  formatDuration,
  isVisible,
  leaveDuration,
  move,
  moveNode,
  newNodeId,
  pick,
  rangeDuration,
  removeNode,
  updateNode,
} from './logic';
import type { FlowNode, FormSchema, LeaveType } from './types';

const schema: FormSchema = {
  controls: [
    { id: 'kind', title: { zh: '类型' }, kind: { type: 'select', options: [{ id: 'a', label: { zh: 'A' } }, { id: 'b', label: { zh: 'B' } }] } },
    { id: 'only_b', title: { zh: '仅B' }, visible_when: { control_id: 'kind', option_ids: ['b'] }, kind: { type: 'text' } },
    { id: 'nested', title: { zh: '嵌套' }, visible_when: { control_id: 'sub', option_ids: ['x'] }, kind: { type: 'text' } },
    { id: 'sub', title: { zh: '子' }, visible_when: { control_id: 'kind', option_ids: ['b'] }, kind: { type: 'select', options: [{ id: 'x', label: { zh: 'X' } }] } },
    { id: 'tips', title: { zh: '说明' }, kind: { type: 'description', text: { zh: '...' } } },
    { id: 'total', title: { zh: '合计' }, kind: { type: 'formula', expression: 'items.amount' } },
    {
      id: 'items',
      title: { zh: '明细' },
      kind: { type: 'table', columns: [{ id: 'what', title: { zh: '项' }, kind: { type: 'text' } }, { id: 'amount', title: { zh: '金额' }, kind: { type: 'money' } }] },
    },
  ],
};

describe('visible_when', () => {
  it('shows a dependent control only for the listed options', () => {
    const c = schema.controls[1];
    expect(isVisible(schema, c, {})).toBe(false);
    expect(isVisible(schema, c, { kind: 'a' })).toBe(false);
    expect(isVisible(schema, c, { kind: 'b' })).toBe(true);
    expect(isVisible(schema, c, { kind: ['a', 'b'] })).toBe(true);
  });
  it('hides a control whose select is itself hidden', () => {
    const nested = schema.controls[2];
    expect(isVisible(schema, nested, { kind: 'a', sub: 'x' })).toBe(false);
    expect(isVisible(schema, nested, { kind: 'b', sub: 'x' })).toBe(true);
  });
});

describe('buildValues', () => {
  it('drops hidden, empty, description and formula values and trims text', () => {
    const v = buildValues(schema, { kind: 'a', only_b: 'hidden', tips: 'x', total: 5, sub: '', items: [] });
    expect(v).toEqual({ kind: 'a' });
    expect(buildValues(schema, { kind: 'b', only_b: '  hi  ' })).toEqual({ kind: 'b', only_b: 'hi' });
  });
  it('drops empty table rows and empty cells', () => {
    const v = buildValues(schema, { items: [{ what: 'taxi', amount: '' }, { what: '', amount: null }, { amount: 12.5 }] });
    expect(v).toEqual({ items: [{ what: 'taxi' }, { amount: 12.5 }] });
  });
  it('keeps leave objects and drops ones with nothing filled', () => {
    const s: FormSchema = { controls: [{ id: 'leave', title: { zh: '假' }, kind: { type: 'leave' } }] };
    expect(buildValues(s, { leave: { leave_type: '', start: '' } })).toEqual({});
    expect(buildValues(s, { leave: { leave_type: 'annual', start: '2026-12-01', end: '2026-12-02' } })).toEqual({
      leave: { leave_type: 'annual', start: '2026-12-01', end: '2026-12-02' },
    });
  });
});

describe('sums and durations', () => {
  it('sums a money column in cents', () => {
    expect(columnSum([{ amount: '0.1' }, { amount: 0.2 }, { amount: 'x' }, {}], 'amount')).toBe(0.3);
    expect(columnSum(undefined, 'amount')).toBe(0);
  });
  it('counts date ranges inclusive and date-time ranges in hours', () => {
    expect(rangeDuration('2026-12-01', '2026-12-03', false)).toBe(3);
    expect(rangeDuration('2026-12-03', '2026-12-01', false)).toBeNull();
    expect(rangeDuration('2026-12-01T09:00', '2026-12-01T11:30', true)).toBe(2.5);
    expect(rangeDuration('', '2026-12-01', false)).toBeNull();
  });
  it('computes leave in working days, half days and hours', () => {
    const day: LeaveType = { key: 'annual', name: { zh: '年假' }, unit: 'day', quota: { type: 'manual' } };
    const half: LeaveType = { ...day, unit: 'half_day' };
    const hour: LeaveType = { ...day, unit: 'hour' };
    // 2026-12-04 is a Friday, 12-07 a Monday.
    expect(leaveDuration(day, { start: '2026-12-04', end: '2026-12-07' })).toBe(2);
    expect(leaveDuration(half, { start: '2026-12-01', end: '2026-12-01', start_half: 'am', end_half: 'am' })).toBe(0.5);
    expect(leaveDuration(half, { start: '2026-12-01', end: '2026-12-02', start_half: 'pm' })).toBe(1.5);
    expect(leaveDuration(half, { start: '2026-12-01', end: '2026-12-01', start_half: 'pm', end_half: 'am' })).toBeNull();
    expect(leaveDuration(hour, { start: '2026-12-01T09:00', end: '2026-12-01T12:20' })).toBe(3.5);
    expect(leaveDuration(day, { start: '2026-12-05', end: '2026-12-06' })).toBeNull();
  });
  it('formats durations in both languages', () => {
    expect(formatDuration(3, 'day', 'zh-CN')).toBe('3 天');
    expect(formatDuration(4.5, 'hour', 'zh-CN')).toBe('4.5 小时');
    expect(formatDuration(1, 'day', 'en')).toBe('1 day');
    expect(formatDuration(0.5, 'half_day', 'en')).toBe('0.5 days');
    expect(formatDuration(2, 'hour', 'en')).toBe('2 hours');
  });
  it('picks the text in the UI language with a fallback', () => {
    expect(pick({ zh: '请假', en: 'Leave' }, 'en')).toBe('Leave');
    expect(pick({ zh: '请假', en: '' }, 'en')).toBe('请假');
    expect(pick({ zh: '', en: 'Leave' }, 'zh-CN')).toBe('Leave');
  });
});

describe('errorTarget', () => {
  it('maps server fields to controls, table cells and flow nodes', () => {
    expect(errorTarget('values.reason')).toEqual({ area: 'values', controlId: 'reason' });
    expect(errorTarget('values.items.2.amount')).toEqual({ area: 'values', controlId: 'items', row: 2, column: 'amount' });
    expect(errorTarget('form.total')).toEqual({ area: 'form', controlId: 'total' });
    expect(errorTarget('flow.hr')).toEqual({ area: 'flow', nodeId: 'hr' });
    expect(errorTarget('chosen.pick')).toEqual({ area: 'flow', nodeId: 'pick' });
    expect(errorTarget('name')).toEqual({ area: 'other', field: 'name' });
    expect(errorTarget(null)).toBeNull();
  });
});

describe('flow tree edits', () => {
  const tree: FlowNode[] = [
    { type: 'approver', id: 'manager', source: { type: 'manager', level: 1 }, mode: 'any' },
    {
      type: 'branch',
      id: 'amount',
      branches: [{ priority: 1, conditions: [], nodes: [{ type: 'approver', id: 'cfo', source: { type: 'members', member_ids: ['1'] }, mode: 'all' }] }],
      default: [{ type: 'cc', id: 'hr_cc', source: { type: 'applicant' } }],
    },
  ];
  it('lists ids and makes fresh ones', () => {
    expect(allNodeIds(tree)).toEqual(['manager', 'amount', 'cfo', 'hr_cc']);
    expect(newNodeId(tree, 'cfo')).toBe('cfo_2');
    expect(newNodeId(tree, 'new')).toBe('new');
  });
  it('updates, removes and appends inside branches', () => {
    const t2 = updateNode(tree, 'cfo', (n) => (n.type === 'approver' ? { ...n, mode: 'any' } : n));
    expect((t2[1] as Extract<FlowNode, { type: 'branch' }>).branches[0].nodes[0]).toMatchObject({ id: 'cfo', mode: 'any' });
    expect(tree[1]).not.toBe(t2[1]);
    const t3 = removeNode(t2, 'hr_cc');
    expect(allNodeIds(t3)).toEqual(['manager', 'amount', 'cfo']);
    const t4 = appendNode(t3, { branchNode: 'amount', branch: 'default' }, { type: 'cc', id: 'x', source: { type: 'applicant' } });
    expect(allNodeIds(t4)).toEqual(['manager', 'amount', 'cfo', 'x']);
    const t5 = appendNode(t4, { root: true }, { type: 'cc', id: 'y', source: { type: 'applicant' } });
    expect(allNodeIds(t5)).toEqual(['manager', 'amount', 'cfo', 'x', 'y']);
  });
  it('moves a node among its siblings only', () => {
    expect(allNodeIds(moveNode(tree, 'amount', -1))).toEqual(['amount', 'cfo', 'hr_cc', 'manager']);
    expect(moveNode(tree, 'manager', -1).map((n) => n.id)).toEqual(['manager', 'amount']);
    expect(move([1, 2, 3], 0, 1)).toEqual([2, 1, 3]);
    expect(move([1, 2, 3], 2, 1)).toEqual([1, 2, 3]);
  });
});

describe('Accept-Language and chat previews', async () => {
  const { acceptLanguage } = await import('./api');
  const { previewText } = await import('../chat/store');
  it('sends the UI language so validation messages match it', () => {
    expect(acceptLanguage('zh-CN')).toMatch(/^zh-CN/);
    expect(acceptLanguage('en')).toBe('en');
    expect(acceptLanguage(undefined)).toBe('en');
  });
  it('previews an approval card with its title and status', () => {
    const c = { kind: 'card' as const, app: 'approvals', title: '张三提交的请假', path: '/workbench/approvals/1', status: '已通过' };
    expect(previewText(c, { location: '', link: '', chain: '', forward: '', recalled: '', image: '', file: '', voice: '', card: '[审批]' })).toBe('[审批] 张三提交的请假 · 已通过');
  });
});
