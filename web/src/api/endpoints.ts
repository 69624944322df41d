// Typed calls for every server endpoint the client uses.
import { api } from './client';
import type * as T from './types';

const enc = encodeURIComponent;

export const setupApi = {
  status: () => api.get<T.SetupStatus>('/api/v1/setup', { skipAuthRedirect: true }),
  run: (body: T.SetupRequest) => api.post<T.LoginResponse>('/api/v1/setup', body, { skipAuthRedirect: true }),
};

export const authApi = {
  login: (body: T.LoginRequest) => api.post<T.LoginResponse>('/api/v1/auth/login', body, { skipAuthRedirect: true }),
  logout: () => api.post<void>('/api/v1/auth/logout', undefined, { skipAuthRedirect: true }),
  changePassword: (body: T.PasswordChange) => api.post<void>('/api/v1/auth/password', body),
  sessions: () => api.get<T.SessionList>('/api/v1/auth/sessions'),
  revokeSession: (id: string) => api.del(`/api/v1/auth/sessions/${enc(id)}`),
  revokeOthers: () => api.post<void>('/api/v1/auth/sessions/revoke-others'),
};

export const meApi = {
  get: (opts?: { skipAuthRedirect?: boolean }) => api.get<T.MeResponse>('/api/v1/me', opts),
  updateSettings: (patch: T.SettingsPatch) => api.patch<T.Settings>('/api/v1/me/settings', patch),
};

/** Calls `fetchPage` with each `next_cursor` until the last page; returns all items. */
export async function collectPages<I>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: I[]; next_cursor?: string | null }>,
  maxPages = 200,
): Promise<I[]> {
  const out: I[] = [];
  let cursor: string | undefined = undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await fetchPage(cursor);
    out.push(...page.items);
    if (!page.next_cursor || page.next_cursor === cursor) break;
    cursor = page.next_cursor;
  }
  return out;
}

export const departmentsApi = {
  page: (cursor?: string | null, limit = 1000) =>
    api.get<T.DepartmentList>('/api/v1/departments', { query: { cursor, limit } }),
  /** Every department visible to the caller, following next_cursor across pages. */
  list: async (): Promise<T.DepartmentList> => ({
    items: await collectPages((cursor) => departmentsApi.page(cursor)),
    next_cursor: null,
  }),
  create: (body: T.CreateDepartment) => api.post<T.Department>('/api/v1/departments', body),
  update: (id: string, body: T.UpdateDepartment) => api.patch<T.Department>(`/api/v1/departments/${enc(id)}`, body),
  remove: (id: string) => api.del(`/api/v1/departments/${enc(id)}`),
};

export interface MemberQuery {
  department_id?: string;
  status?: string;
  cursor?: string | null;
  limit?: number;
}

export const membersApi = {
  list: (q: MemberQuery = {}) => api.get<T.MemberList>('/api/v1/members', { query: { ...q } }),
  /** Follows next_cursor until every page is loaded. */
  listAll: (q: Omit<MemberQuery, 'cursor'> = {}): Promise<T.Member[]> =>
    collectPages((cursor) => membersApi.list({ limit: 200, ...q, cursor })),
  get: (id: string) => api.get<T.Member>(`/api/v1/members/${enc(id)}`),
  create: (body: T.CreateMember) => api.post<T.Member>('/api/v1/members', body),
  update: (id: string, body: T.UpdateMember) => api.patch<T.Member>(`/api/v1/members/${enc(id)}`, body),
  remove: (id: string) => api.del(`/api/v1/members/${enc(id)}`),
  resetPassword: (id: string, body: T.ResetPassword) => api.post<void>(`/api/v1/members/${enc(id)}/reset-password`, body),
  setRole: (id: string, body: T.SetRole) => api.put<T.Member>(`/api/v1/members/${enc(id)}/role`, body),
};

export const directoryApi = {
  search: (q: string, limit = 30, signal?: AbortSignal) =>
    api.get<T.SearchResult>('/api/v1/directory/search', { query: { q, limit }, signal }),
};

export const auditApi = {
  page: (cursor?: string | null, limit = 50) => api.get<T.AuditPage>('/api/v1/audit-log', { query: { cursor, limit } }),
};
