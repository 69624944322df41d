// Turns API errors into text in the user's language. Known error codes map to
// catalog keys; unknown codes fall back to the server's own `message`.
import { isApiError, type ApiError } from '../api/client';
import type { MessageKey, TFunction } from './index';

/** Error codes with a catalog entry `errors.<code>`. */
const KNOWN_CODES = new Set([
  'invalid_credentials',
  'too_many_attempts',
  'unauthenticated',
  'forbidden',
  'csrf_failed',
  'password_change_required',
  'not_found',
  'already_exists',
  'department_cycle',
  'department_not_empty',
  'department_name_taken',
  'department_is_root',
  'last_super_admin',
  'already_set_up',
  'rate_limited',
  'validation_failed',
  'internal_error',
  'network_error',
  'already_recalled',
  'recall_window_passed',
  'owner_must_transfer',
  'already_joined',
  'client_msg_id_reused',
  'payload_too_large',
  'quota_exceeded',
]);

/** Form labels for request fields the server may name in `field`. */
const FIELD_LABELS: Record<string, MessageKey> = {
  name: 'errors.field.name',
  employee_id: 'member.employeeId',
  phone: 'member.phone',
  email: 'member.email',
  position: 'member.position',
  department_ids: 'member.departments',
  main_department_id: 'member.mainDepartment',
  manager_id: 'member.manager',
  status: 'member.status',
  join_date: 'member.joinDate',
  leave_date: 'member.leaveDate',
  role: 'member.role',
  password: 'login.password',
  current_password: 'password.current',
  new_password: 'password.new',
  login: 'login.login',
  org: 'login.org',
  org_name: 'setup.orgName',
  admin_name: 'setup.adminName',
  admin_login: 'setup.adminLogin',
  admin_password: 'setup.password',
  parent_id: 'dept.parent',
  leader_ids: 'dept.leaders',
  visibility: 'dept.visibility',
  order: 'dept.order',
  managed_department_ids: 'admins.managed',
  locale: 'me.language',
  font_size: 'me.fontSize',
  chat_background: 'me.chatBackground',
  quiet_hours: 'me.quietHours',
  announcement: 'chat.announcement',
  file: 'chat.file',
  duration_ms: 'chat.voiceDuration',
};

/** How `already_exists` names the clashing sign-in field inside a sentence. */
const UNIQUE_FIELD_LABELS: Record<string, MessageKey> = {
  employee_id: 'errors.field.employee_id',
  phone: 'errors.field.phone',
  email: 'errors.field.email',
};

export interface DescribeOptions {
  /** Per-form labels that override the defaults, e.g. `{ name: t('dept.name') }`. */
  fieldLabels?: Record<string, string>;
}

/** The form label for a request field, or the raw field name when unknown. */
export function fieldLabel(t: TFunction, field: string, opts: DescribeOptions = {}): string {
  const override = opts.fieldLabels?.[field];
  if (override) return override;
  const key = FIELD_LABELS[field];
  return key ? t(key) : field;
}

/** "30 seconds", "1 minute", "5 分钟"… (rounded up to whole minutes from 60 s on). */
export function formatWait(t: TFunction, seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return s === 1 ? t('errors.wait.second') : t('errors.wait.seconds', { n: s });
  const m = Math.ceil(s / 60);
  return m === 1 ? t('errors.wait.minute') : t('errors.wait.minutes', { n: m });
}

/** Localized text for one API error. */
export function describeApiError(t: TFunction, e: ApiError, opts: DescribeOptions = {}): string {
  const code = e.code;
  if (!KNOWN_CODES.has(code)) return e.message || t('common.error');
  switch (code) {
    case 'too_many_attempts':
    case 'rate_limited':
      return e.retryAfter != null && e.retryAfter > 0
        ? t(`errors.${code}.wait`, { wait: formatWait(t, e.retryAfter) })
        : t(`errors.${code}`);
    case 'already_exists': {
      if (!e.field) return t('errors.already_exists');
      const key = UNIQUE_FIELD_LABELS[e.field];
      return t('errors.already_exists.field', { field: key ? t(key) : fieldLabel(t, e.field, opts) });
    }
    case 'validation_failed':
      return e.field
        ? t('errors.validation_failed.field', { field: fieldLabel(t, e.field, opts), message: e.message })
        : t('errors.validation_failed', { message: e.message });
    default:
      return t(`errors.${code}` as MessageKey);
  }
}

/** Localized text for anything thrown by an API call. */
export function describeError(t: TFunction, e: unknown, opts: DescribeOptions = {}): string {
  if (isApiError(e)) return describeApiError(t, e, opts);
  if (e instanceof Error) return e.message || t('common.error');
  return e == null ? t('common.error') : String(e);
}
