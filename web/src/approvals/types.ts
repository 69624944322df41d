// Approval payloads, written out as discriminated unions (mirrors crates/huddle-approvals and
// crates/huddle-server/src/approvals/model.rs).

export interface I18nText {
  zh: string;
  en?: string;
}

export interface SelectOption {
  id: string;
  label: I18nText;
}

export interface VisibleWhen {
  control_id: string;
  option_ids: string[];
}

export type ControlKind =
  | { type: 'text' }
  | { type: 'textarea' }
  | { type: 'number'; unit?: string | null; decimals?: number }
  | { type: 'money'; currency?: string }
  | { type: 'date'; with_time?: boolean }
  | { type: 'date_range'; with_time?: boolean }
  | { type: 'select'; multiple?: boolean; options: SelectOption[] }
  | { type: 'contact'; departments?: boolean; multiple?: boolean }
  | { type: 'attachment' }
  | { type: 'table'; columns: Control[] }
  | { type: 'location' }
  | { type: 'description'; text: I18nText }
  | { type: 'leave' }
  | { type: 'business_trip' }
  | { type: 'outing' }
  | { type: 'overtime' }
  | { type: 'punch_correction' }
  | { type: 'formula'; expression: string; decimals?: number };

export type ControlType = ControlKind['type'];

export interface Control {
  id: string;
  title: I18nText;
  placeholder?: I18nText | null;
  required?: boolean;
  visible_when?: VisibleWhen | null;
  kind: ControlKind;
}

export interface FormSchema {
  controls: Control[];
}

export type DurationUnit = 'day' | 'hour';
export type Half = 'am' | 'pm';

/** A validated value as the server returns it. */
export type Value =
  | { type: 'text'; text: string }
  | { type: 'number'; value: number }
  | { type: 'money'; amount: string; cents: number }
  | { type: 'date'; value: string }
  | { type: 'date_range'; start: string; end: string; duration: number; unit: DurationUnit }
  | { type: 'select'; option_ids: string[] }
  | { type: 'contact'; member_ids?: string[]; department_ids?: string[] }
  | { type: 'attachment'; file_ids: string[] }
  | { type: 'table'; rows: Record<string, Value>[]; sums: Record<string, number> }
  | { type: 'location'; lat: number; lng: number; title?: string; address?: string }
  | {
      type: 'leave';
      leave_type: string;
      start: string;
      end: string;
      start_half?: Half;
      end_half?: Half;
      duration: number;
      unit: DurationUnit;
    }
  | { type: 'range'; start: string; end: string; duration: number; unit: DurationUnit }
  | { type: 'punch_correction'; at: string }
  | { type: 'formula'; value: number };

export type FormValues = Record<string, Value>;

export type ApproverSource =
  | { type: 'members'; member_ids: string[] }
  | { type: 'manager'; level: number }
  | { type: 'manager_chain'; up_to_level: number }
  | { type: 'department_leader'; level: number }
  | { type: 'role'; role_id: string }
  | { type: 'applicant_choice'; multiple?: boolean }
  | { type: 'applicant' };
export type SourceType = ApproverSource['type'];

export type SignMode = 'all' | 'any' | 'sequential';

export type Condition =
  | { type: 'applicant_department'; department_ids: string[] }
  | { type: 'number_range'; control_id: string; min?: number | null; max?: number | null }
  | { type: 'select_any'; control_id: string; option_ids: string[] };

export interface Branch {
  name?: string;
  priority: number;
  conditions: Condition[];
  nodes: FlowNode[];
}

export type FlowNode =
  | { type: 'approver'; id: string; name?: string; source: ApproverSource; mode: SignMode }
  | { type: 'cc'; id: string; name?: string; source: ApproverSource }
  | { type: 'branch'; id: string; branches: Branch[]; default: FlowNode[] };

export interface FlowDef {
  nodes: FlowNode[];
  missing_approver?: 'auto_pass' | 'to_admins';
  skip_self?: boolean;
  dedupe_consecutive?: boolean;
}

export interface FilerScope {
  member_ids: string[];
  department_ids: string[];
}

export interface TemplateSettings {
  allow_withdraw_after_approval: boolean;
  require_reject_comment: boolean;
}

export interface TemplateDefinition {
  name: I18nText;
  icon: string;
  group: string;
  description: string;
  scope: FilerScope;
  form: FormSchema;
  flow: FlowDef;
  settings: TemplateSettings;
}

export interface Template {
  id: string;
  version: number;
  builtin?: string;
  enabled: boolean;
  definition: TemplateDefinition;
  updated_at: number;
  can_file: boolean;
}

export interface PersonRef {
  id: string;
  name: string;
  avatar_url?: string;
  inactive: boolean;
}

export type StepKind = 'approve' | 'cc';
export type AutoReason = 'no_approver' | 'self_skipped' | 'deduplicated';

export interface ResolvedStep {
  node_id: string;
  name: string;
  kind: StepKind;
  mode: SignMode;
  members: string[];
  auto?: AutoReason;
}

export interface ChoiceNeeded {
  node_id: string;
  name: string;
  multiple: boolean;
  kind: StepKind;
}

export interface Preview {
  values: FormValues;
  choices_needed: ChoiceNeeded[];
  steps?: ResolvedStep[];
  people: PersonRef[];
}

export type RequestStatus = 'pending' | 'approved' | 'rejected' | 'withdrawn' | 'withdrawn_after_approval';

export interface RequestSummary {
  id: string;
  sp_no: string;
  template_id: string;
  template_name: I18nText;
  icon: string;
  applicant: PersonRef;
  status: RequestStatus;
  status_code: number;
  summary: string;
  awaiting: PersonRef[];
  created_at: number;
  updated_at: number;
}

export interface RequestList {
  items: RequestSummary[];
  next_cursor: string | null;
}

export type StepStatus = 'waiting' | 'in_progress' | 'approved' | 'rejected' | 'skipped' | 'returned' | 'notified' | 'cancelled';
export type Decision = 'pending' | 'approved' | 'rejected' | 'transferred' | 'returned' | 'not_needed' | 'added_before';

export interface Approver {
  member_id: string;
  decision: Decision;
  comment?: string;
  file_ids?: string[];
  decided_at: number;
  added_by?: string;
}

export interface Step {
  node_id: string;
  name: string;
  kind: StepKind;
  mode: SignMode;
  status: StepStatus;
  approvers: Approver[];
  auto?: AutoReason;
}

export interface RequestState {
  applicant: string;
  status: RequestStatus;
  steps: Step[];
  current?: number;
}

export interface TimelineEntry {
  id: string;
  actor_id: string;
  kind: string;
  comment?: string;
  file_ids?: string[];
  data: Record<string, unknown>;
  created_at: number;
}

export interface Allowed {
  approve: boolean;
  reject: boolean;
  withdraw: boolean;
  return_to: number[];
  transfer: boolean;
  add_approver: boolean;
  nudge: boolean;
  comment: boolean;
}

export interface RequestDetail extends RequestSummary {
  template_version: number;
  form: FormSchema;
  values: FormValues;
  state: RequestState;
  timeline: TimelineEntry[];
  people: PersonRef[];
  allowed: Allowed;
  require_reject_comment: boolean;
}

export interface Counts {
  waiting: number;
  mine_pending: number;
}

export interface Role {
  id: string;
  name: string;
  member_ids: string[];
}

export type LeaveUnit = 'day' | 'half_day' | 'hour';
export type QuotaRule =
  | { type: 'unlimited' }
  | { type: 'manual' }
  | { type: 'fixed'; per_year: number }
  | { type: 'by_seniority'; tiers: { min_years: number; amount: number }[] };

export interface LeaveType {
  key: string;
  name: I18nText;
  unit: LeaveUnit;
  hours_per_day?: number;
  quota: QuotaRule;
  enabled?: boolean;
}

export interface LeaveBalance {
  leave_type: string;
  name: I18nText;
  unit: LeaveUnit;
  unlimited: boolean;
  balance: number;
  reserved: number;
  available: number;
}

export interface LeaveBalances {
  member_id: string;
  items: LeaveBalance[];
}

export interface LedgerEntry {
  id: string;
  leave_type: string;
  amount: number;
  kind: string;
  request_id?: string;
  note: string;
  actor_id: string;
  created_at: number;
}

export interface Draft {
  values: Record<string, unknown>;
  updated_at?: number;
}

export type RequestBox = 'mine' | 'waiting' | 'handled' | 'cc' | 'all';

export const ICONS = ['leave', 'expense', 'trip', 'outing', 'punch', 'overtime', 'purchase', 'general', 'seal', 'car'] as const;
