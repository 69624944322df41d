// Pure logic of the approvals screens: visibility, raw value building, durations, error field
// mapping and flow-tree edits. No React here (tested in logic.test.ts).
import type { Control, FlowNode, FormSchema, Half, I18nText, LeaveType, SelectOption, Value } from './types';

export type RawValues = Record<string, unknown>;

/** The text in the UI language, falling back to the other one. */
export function pick(t: I18nText | null | undefined, locale: string): string {
  if (!t) return '';
  const en = (t.en ?? '').trim();
  const zh = (t.zh ?? '').trim();
  return locale.startsWith('zh') ? zh || en : en || zh;
}

function selectedIds(raw: unknown): string[] {
  if (typeof raw === 'string') return raw ? [raw] : [];
  if (Array.isArray(raw)) return raw.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Whether `control` is shown for these raw values (its `visible_when` select, itself visible, has a listed option). */
export function isVisible(schema: FormSchema, control: Control, raw: RawValues, depth = 0): boolean {
  const vw = control.visible_when;
  if (!vw) return true;
  if (depth > 32) return false;
  const sel = schema.controls.find((c) => c.id === vw.control_id);
  if (!sel || !isVisible(schema, sel, raw, depth + 1)) return false;
  const chosen = selectedIds(raw[vw.control_id]);
  return chosen.some((o) => vw.option_ids.includes(o));
}

/** Whether a raw value counts as empty (mirrors the server: null, blank, [], object of empties). */
export function isEmptyRaw(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>).every(isEmptyRaw);
  return false;
}

/**
 * The `values` to send: only visible controls with something filled in; description and formula
 * controls are left out (computed by the server); table rows that are entirely empty are dropped.
 */
export function buildValues(schema: FormSchema, raw: RawValues): RawValues {
  const out: RawValues = {};
  for (const c of schema.controls) {
    if (c.kind.type === 'description' || c.kind.type === 'formula') continue;
    if (!isVisible(schema, c, raw)) continue;
    let v = raw[c.id];
    if (c.kind.type === 'table' && Array.isArray(v)) {
      v = (v as Record<string, unknown>[])
        .filter((row) => row && !isEmptyRaw(row))
        .map((row) => {
          const clean: Record<string, unknown> = {};
          for (const [k, cell] of Object.entries(row)) if (!isEmptyRaw(cell)) clean[k] = cell;
          return clean;
        });
    }
    if (typeof v === 'string') v = v.trim();
    if (isEmptyRaw(v)) continue;
    out[c.id] = v;
  }
  return out;
}

/** Sum of a number/money column over raw table rows (blank or invalid cells count 0). */
export function columnSum(rows: unknown, columnId: string): number {
  if (!Array.isArray(rows)) return 0;
  let cents = 0;
  for (const r of rows) {
    const n = Number((r as Record<string, unknown> | null)?.[columnId]);
    if (Number.isFinite(n)) cents += Math.round(n * 100);
  }
  return cents / 100;
}

/** "3 天", "4.5 小时", "3 days", "1 day", "0.5 days". */
export function formatDuration(duration: number, unit: 'day' | 'hour' | 'half_day', locale: string): string {
  const n = Math.round(duration * 100) / 100;
  if (locale.startsWith('zh')) return `${n} ${unit === 'hour' ? '小时' : '天'}`;
  if (unit === 'hour') return `${n} ${n === 1 ? 'hour' : 'hours'}`;
  return `${n} ${n === 1 ? 'day' : 'days'}`;
}

function parseDate(s: unknown): Date | null {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  const d = new Date(`${s}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}
function parseDateTime(s: unknown): Date | null {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(s)) return null;
  const d = new Date(`${s}:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}
const DAY = 86_400_000;

/** A range's duration as the server computes it: inclusive calendar days, or hours (to 0.01 h). */
export function rangeDuration(start: unknown, end: unknown, withTime: boolean): number | null {
  if (withTime) {
    const s = parseDateTime(start);
    const e = parseDateTime(end);
    if (!s || !e || e < s) return null;
    return Math.round(((e.getTime() - s.getTime()) / 3_600_000) * 100) / 100;
  }
  const s = parseDate(start);
  const e = parseDate(end);
  if (!s || !e || e < s) return null;
  return Math.round((e.getTime() - s.getTime()) / DAY) + 1;
}

function workingDays(s: Date, e: Date): number {
  let n = 0;
  for (let t = s.getTime(); t <= e.getTime(); t += DAY) {
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6) n++;
  }
  return n;
}

export interface LeaveRaw {
  leave_type?: string;
  start?: string;
  end?: string;
  start_half?: Half;
  end_half?: Half;
}

/** The leave duration as the server computes it (working days Mon–Fri; half days; hours to ½ h). */
export function leaveDuration(t: LeaveType | undefined, v: LeaveRaw | undefined): number | null {
  if (!t || !v) return null;
  if (t.unit === 'hour') {
    const s = parseDateTime(v.start);
    const e = parseDateTime(v.end);
    if (!s || !e) return null;
    const halves = Math.floor(((e.getTime() - s.getTime()) / 60_000 + 15) / 30);
    return halves > 0 ? halves / 2 : null;
  }
  const s = parseDate(v.start);
  const e = parseDate(v.end);
  if (!s || !e || e < s) return null;
  let days = workingDays(s, e);
  if (t.unit === 'half_day') {
    const sh = v.start_half ?? 'am';
    const eh = v.end_half ?? 'pm';
    if (s.getTime() === e.getTime() && sh === 'pm' && eh === 'am') return null;
    const isWork = (d: Date) => d.getUTCDay() !== 0 && d.getUTCDay() !== 6;
    if (sh === 'pm' && isWork(s)) days -= 0.5;
    if (eh === 'am' && isWork(e)) days -= 0.5;
  }
  return days > 0 ? days : null;
}

/** Where a server validation error points. */
export type ErrorTarget =
  | { area: 'values'; controlId: string; row?: number; column?: string }
  | { area: 'form'; controlId: string }
  | { area: 'flow'; nodeId: string }
  | { area: 'other'; field: string };

/** Maps `values.<id>`, `values.<id>.<row>.<col>`, `form.<id>`, `flow.<node>` and `chosen.<node>`. */
export function errorTarget(field: string | null | undefined): ErrorTarget | null {
  if (!field) return null;
  const parts = field.split('.');
  const [head, id, ...rest] = parts;
  if (head === 'values' && id) {
    if (rest.length >= 2 && /^\d+$/.test(rest[0])) return { area: 'values', controlId: id, row: Number(rest[0]), column: rest.slice(1).join('.') };
    return { area: 'values', controlId: id };
  }
  if (head === 'form' && id) return { area: 'form', controlId: id };
  if ((head === 'flow' || head === 'chosen') && id) return { area: 'flow', nodeId: id };
  return { area: 'other', field };
}

/** Display text for a validated value (read-only rendering of simple kinds). */
export function valueText(c: Control, v: Value | undefined, locale: string, names: (id: string) => string): string {
  if (!v) return '';
  switch (v.type) {
    case 'text':
      return v.text;
    case 'number':
      return `${v.value}${c.kind.type === 'number' && c.kind.unit ? ` ${c.kind.unit}` : ''}`;
    case 'money':
      return `${c.kind.type === 'money' && c.kind.currency && c.kind.currency !== 'CNY' ? c.kind.currency + ' ' : '¥'}${v.amount}`;
    case 'date':
      return v.value.replace('T', ' ');
    case 'date_range':
    case 'range':
      return `${v.start.replace('T', ' ')} ~ ${v.end.replace('T', ' ')} · ${formatDuration(v.duration, v.unit, locale)}`;
    case 'select': {
      const opts: SelectOption[] = c.kind.type === 'select' ? c.kind.options : [];
      return v.option_ids.map((id) => pick(opts.find((o) => o.id === id)?.label, locale) || id).join(', ');
    }
    case 'contact':
      return [...(v.member_ids ?? []), ...(v.department_ids ?? [])].map(names).join(', ');
    case 'location':
      return v.title || v.address || `${v.lat.toFixed(5)}, ${v.lng.toFixed(5)}`;
    case 'punch_correction':
      return v.at.replace('T', ' ');
    case 'formula':
      return String(v.value);
    default:
      return '';
  }
}

// ---- Flow tree edits (nodes are addressed by their unique id) ----

/** Every node id in the tree, depth first. */
export function allNodeIds(nodes: FlowNode[]): string[] {
  const out: string[] = [];
  const walk = (list: FlowNode[]) => {
    for (const n of list) {
      out.push(n.id);
      if (n.type === 'branch') {
        n.branches.forEach((b) => walk(b.nodes));
        walk(n.default ?? []);
      }
    }
  };
  walk(nodes);
  return out;
}

/** A fresh id `prefix`, `prefix_2`, … not used in the tree. */
export function newNodeId(nodes: FlowNode[], prefix: string): string {
  const used = new Set(allNodeIds(nodes));
  if (!used.has(prefix)) return prefix;
  for (let i = 2; ; i++) if (!used.has(`${prefix}_${i}`)) return `${prefix}_${i}`;
}

/** Applies `fn` to every node list (root, branch lists, default lists), bottom up. */
function mapLists(nodes: FlowNode[], fn: (list: FlowNode[]) => FlowNode[]): FlowNode[] {
  const inner = nodes.map((n) =>
    n.type === 'branch'
      ? { ...n, branches: n.branches.map((b) => ({ ...b, nodes: mapLists(b.nodes, fn) })), default: mapLists(n.default ?? [], fn) }
      : n,
  );
  return fn(inner);
}

/** Replaces the node with `id` by `fn(node)`. */
export function updateNode(nodes: FlowNode[], id: string, fn: (n: FlowNode) => FlowNode): FlowNode[] {
  return mapLists(nodes, (list) => list.map((n) => (n.id === id ? fn(n) : n)));
}

export function removeNode(nodes: FlowNode[], id: string): FlowNode[] {
  return mapLists(nodes, (list) => list.filter((n) => n.id !== id));
}

/** Moves the node with `id` by `delta` places among its siblings. */
export function moveNode(nodes: FlowNode[], id: string, delta: number): FlowNode[] {
  return mapLists(nodes, (list) => {
    const i = list.findIndex((n) => n.id === id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= list.length) return list;
    const copy = list.slice();
    const [n] = copy.splice(i, 1);
    copy.splice(j, 0, n);
    return copy;
  });
}

/** Where a node list lives: the root, a branch's list, or a branch node's default list. */
export type ListRef = { root: true } | { branchNode: string; branch: number | 'default' };

/** Appends `node` to the list `where`. */
export function appendNode(nodes: FlowNode[], where: ListRef, node: FlowNode): FlowNode[] {
  if ('root' in where) return [...nodes, node];
  return updateNode(nodes, where.branchNode, (n) => {
    if (n.type !== 'branch') return n;
    if (where.branch === 'default') return { ...n, default: [...(n.default ?? []), node] };
    return { ...n, branches: n.branches.map((b, i) => (i === where.branch ? { ...b, nodes: [...b.nodes, node] } : b)) };
  });
}

/** The ids of number-like controls a number_range condition may use. */
export function numericControls(schema: FormSchema): Control[] {
  const ok = new Set(['number', 'money', 'formula', 'date_range', 'leave', 'business_trip', 'outing', 'overtime']);
  return schema.controls.filter((c) => ok.has(c.kind.type));
}

/** A control id not used yet: `prefix`, `prefix_2`, … */
export function newControlId(controls: Control[], prefix: string): string {
  const used = new Set(controls.map((c) => c.id));
  if (!used.has(prefix)) return prefix;
  for (let i = 2; ; i++) if (!used.has(`${prefix}_${i}`)) return `${prefix}_${i}`;
}

/** Moves item `i` of a list by `delta` (no-op at the ends). */
export function move<T>(list: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (i < 0 || i >= list.length || j < 0 || j >= list.length) return list;
  const copy = list.slice();
  const [x] = copy.splice(i, 1);
  copy.splice(j, 0, x);
  return copy;
}

/** A client id for idempotent submits. */
export function newClientRequestId(): string {
  const r = globalThis.crypto?.randomUUID?.();
  return r ?? `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
