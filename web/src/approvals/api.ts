// Approval endpoints (/api/v1/approvals/...). Calls that can answer with form validation errors
// send Accept-Language so the server names the field in the UI's language.
import { api, buildUrl } from '../api/client';
import type * as A from './types';

const enc = encodeURIComponent;
const B = '/api/v1/approvals';

/** The UI language (I18nProvider keeps it on <html lang>), sent so messages match the screen. */
export function acceptLanguage(lang: string | undefined = globalThis.document?.documentElement.lang): string {
  return (lang ?? '').toLowerCase().startsWith('zh') ? 'zh-CN,zh;q=0.9' : 'en';
}
const h = () => ({ headers: { 'Accept-Language': acceptLanguage() } });

export interface SubmitBody {
  template_id: string;
  values: Record<string, unknown>;
  chosen?: Record<string, string[]>;
  client_request_id?: string;
}

export interface ListQuery {
  box: A.RequestBox;
  status?: string;
  template_id?: string;
  q?: string;
  from?: number;
  to?: number;
  department_id?: string;
  cursor?: string | null;
  limit?: number;
}

export interface ExportQuery {
  template_id?: string;
  status?: string;
  from?: number;
  to?: number;
  department_id?: string;
}

export const approvalsApi = {
  templates: (all = false) => api.get<{ items: A.Template[] }>(`${B}/templates`, { query: { all: all ? 'true' : undefined }, ...h() }),
  template: (id: string) => api.get<A.Template>(`${B}/templates/${enc(id)}`, h()),
  createTemplate: (def: A.TemplateDefinition) => api.post<A.Template>(`${B}/templates`, def, h()),
  updateTemplate: (id: string, def: A.TemplateDefinition) => api.put<A.Template>(`${B}/templates/${enc(id)}`, def, h()),
  deleteTemplate: (id: string) => api.del(`${B}/templates/${enc(id)}`, h()),
  setEnabled: (id: string, enabled: boolean) => api.post<A.Template>(`${B}/templates/${enc(id)}/enabled`, { enabled }, h()),

  roles: () => api.get<{ items: A.Role[] }>(`${B}/roles`, h()),
  createRole: (body: { name: string; member_ids: string[] }) => api.post<A.Role>(`${B}/roles`, body, h()),
  updateRole: (id: string, body: { name: string; member_ids: string[] }) => api.put<A.Role>(`${B}/roles/${enc(id)}`, body, h()),
  deleteRole: (id: string) => api.del(`${B}/roles/${enc(id)}`, h()),

  preview: (body: SubmitBody, signal?: AbortSignal) => api.post<A.Preview>(`${B}/preview`, body, { ...h(), signal }),
  submit: (body: SubmitBody) => api.post<A.RequestDetail>(`${B}/requests`, body, h()),
  list: (q: ListQuery) => api.get<A.RequestList>(`${B}/requests`, { query: { ...q }, ...h() }),
  get: (id: string) => api.get<A.RequestDetail>(`${B}/requests/${enc(id)}`, h()),
  counts: () => api.get<A.Counts>(`${B}/counts`, h()),

  draft: (templateId: string) => api.get<A.Draft>(`${B}/drafts/${enc(templateId)}`, h()),
  saveDraft: (templateId: string, values: Record<string, unknown>) => api.put<A.Draft>(`${B}/drafts/${enc(templateId)}`, { values }, h()),
  deleteDraft: (templateId: string) => api.del(`${B}/drafts/${enc(templateId)}`, h()),

  approve: (id: string, comment: string, file_ids: string[] = []) => api.post<unknown>(`${B}/requests/${enc(id)}/approve`, { comment, file_ids }, h()),
  reject: (id: string, comment: string, file_ids: string[] = []) => api.post<unknown>(`${B}/requests/${enc(id)}/reject`, { comment, file_ids }, h()),
  withdraw: (id: string) => api.post<unknown>(`${B}/requests/${enc(id)}/withdraw`, undefined, h()),
  returnTo: (id: string, to_step: number, comment: string) => api.post<unknown>(`${B}/requests/${enc(id)}/return`, { to_step, comment }, h()),
  transfer: (id: string, to: string, comment: string) => api.post<unknown>(`${B}/requests/${enc(id)}/transfer`, { to, comment }, h()),
  reassign: (id: string, from: string, to: string, comment: string) =>
    api.post<unknown>(`${B}/requests/${enc(id)}/reassign`, { from, to, comment }, h()),
  addApprover: (id: string, member_id: string, position: 'before' | 'after', comment: string) =>
    api.post<unknown>(`${B}/requests/${enc(id)}/add-approver`, { member_id, position, comment }, h()),
  comment: (id: string, text: string, file_ids: string[] = []) => api.post<unknown>(`${B}/requests/${enc(id)}/comments`, { text, file_ids }, h()),
  nudge: (id: string) => api.post<unknown>(`${B}/requests/${enc(id)}/nudge`, undefined, h()),

  leaveTypes: () => api.get<{ items: A.LeaveType[] }>(`${B}/leave-types`, h()),
  saveLeaveTypes: (items: A.LeaveType[]) => api.put<{ items: A.LeaveType[] }>(`${B}/leave-types`, { items }, h()),
  balances: (member_id?: string) => api.get<A.LeaveBalances>(`${B}/leave/balances`, { query: { member_id }, ...h() }),
  ledger: (member_id?: string, leave_type?: string) => api.get<{ items: A.LedgerEntry[] }>(`${B}/leave/ledger`, { query: { member_id, leave_type }, ...h() }),
  adjust: (body: { member_id: string; leave_type: string; amount: number; note: string }) => api.post<unknown>(`${B}/leave/adjustments`, body, h()),

  exportUrl: (q: ExportQuery) => buildUrl(`${B}/export`, { ...q }),
};
