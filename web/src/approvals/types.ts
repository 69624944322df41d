// Approval payloads. Every type the server's OpenAPI document describes is taken from the
// generated schema (src/api/schema.ts, `npm run gen:api`), so a changed server payload breaks
// `tsc`. Only what the document leaves loose, or does not describe, is written by hand below.
import type { components, operations } from '../api/schema';

type S = components['schemas'];

export type I18nText = S['I18nText'];
export type SelectOption = S['SelectOption'];
export type VisibleWhen = S['VisibleWhen'];

// Control and ControlKind are mutually recursive (table columns are controls); the generated
// types keep the recursion through `components['schemas']` references, so no hand-written layer
// is needed.
export type ControlKind = S['ControlKind'];
export type ControlType = ControlKind['type'];
export type Control = S['Control'];
export type FormSchema = S['FormSchema'];

// Form values are `Object` in the API (`#[schema(value_type = Object)]`, generated as
// `Record<string, never>`), so their shapes are written by hand. They mirror `Value` in
// crates/huddle-approvals/src/form/mod.rs as produced by form/validate.rs.
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

export type ApproverSource = S['ApproverSource'];
export type SourceType = ApproverSource['type'];
export type SignMode = S['SignMode'];
export type Condition = S['Condition'];
// FlowNode and Branch are recursive (branch nodes); the server marks those fields no_recursion,
// but the generated types still refer to `components['schemas']['FlowNode']`, so the recursion is
// typed. Note `default` of a branch node is optional (serde default).
export type Branch = S['Branch'];
export type FlowNode = S['FlowNode'];
export type MissingApproverPolicy = S['MissingApproverPolicy'];
export type FlowDef = S['FlowDef'];

export type FilerScope = S['FilerScope'];
export type TemplateSettings = S['TemplateSettings'];
// Fields with serde defaults (icon, group, description, scope, settings) are optional here
// because the same type is the request body; the server always sends them on output.
export type TemplateDefinition = S['TemplateDefinition'];
export type Template = S['Template'];
export type TemplateList = S['TemplateList'];

export type PersonRef = S['PersonRef'];

export type StepKind = S['StepKind'];
export type AutoReason = S['AutoReason'];
export type ResolvedStep = S['ResolvedStep'];
export type ChoiceNeeded = S['ChoiceNeeded'];

/** `values` is `Object` in the API: the validated values, typed by hand (see Value). */
export type Preview = Omit<S['Preview'], 'values'> & { values: FormValues };

export type RequestStatus = S['RequestStatus'];
export type RequestSummary = S['RequestSummary'];
export type RequestList = S['RequestList'];

export type StepStatus = S['StepStatus'];
export type Decision = S['Decision'];
export type Approver = S['Approver'];
export type Step = S['Step'];
export type RequestState = S['RequestState'];

/** `data` is `Object` in the API (per-kind details); read it as unknown values. */
export type TimelineEntry = Omit<S['TimelineEntry'], 'data'> & { data: Record<string, unknown> };

export type Allowed = S['Allowed'];

/** `values` is `Object` in the API (see Value); `timeline` carries the loosened TimelineEntry. */
export type RequestDetail = Omit<S['RequestDetail'], 'values' | 'timeline'> & {
  values: FormValues;
  timeline: TimelineEntry[];
};

export type Counts = S['Counts'];

/** An approval role (审批角色), e.g. HR or Finance, that flow steps can name. */
export type Role = S['ApprovalRole'];
export type RoleList = S['ApprovalRoleList'];
export type RoleWrite = S['ApprovalRoleWrite'];

export type LeaveUnit = S['LeaveUnit'];
export type SeniorityTier = S['SeniorityTier'];
export type QuotaRule = S['QuotaRule'];
export type LeaveType = S['LeaveType'];
export type LeaveTypeList = S['LeaveTypeList'];
export type LeaveBalance = S['LeaveBalance'];
export type LeaveBalances = S['LeaveBalances'];
export type LedgerEntry = S['LedgerEntry'];
export type Ledger = S['Ledger'];
export type LeaveAdjustment = S['LeaveAdjustment'];

/** `values` is `Object` in the API: raw, unvalidated input by control id. */
export type Draft = Omit<S['Draft'], 'values'> & { values: Record<string, unknown> };

export type SubmitRequest = Omit<S['SubmitRequest'], 'values'> & { values: Record<string, unknown> };

/** The `box` query parameter of GET /api/v1/approvals/requests (inlined, not a component schema). */
export type RequestBox = NonNullable<NonNullable<operations['list_requests']['parameters']['query']>['box']>;

/** Icon keys the designer offers (the API's `icon` is a plain string). */
export const ICONS = ['leave', 'expense', 'trip', 'outing', 'punch', 'overtime', 'purchase', 'general', 'seal', 'car'] as const;
