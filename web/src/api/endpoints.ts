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

export const chatApi = {
  list: () => api.get<T.ConversationList>('/api/v1/conversations'),
  get: (id: string) => api.get<T.Conversation>(`/api/v1/conversations/${enc(id)}`),
  createDirect: (memberId: string) =>
    api.post<T.Conversation>('/api/v1/conversations', { kind: 'direct', member_ids: [memberId] }),
  createGroup: (name: string | null, memberIds: string[]) =>
    api.post<T.Conversation>('/api/v1/conversations', { kind: 'group', name: name || null, member_ids: memberIds }),
  messages: (id: string, q: { before_seq?: number; after_seq?: number; limit?: number } = {}) =>
    api.get<T.MessagePage>(`/api/v1/conversations/${enc(id)}/messages`, { query: { ...q } }),
  send: (id: string, body: { client_msg_id: string; content: T.Content; reply_to?: string | null }) =>
    api.post<T.ChatMessage>(`/api/v1/conversations/${enc(id)}/messages`, body),
  read: (id: string, seq?: number) => api.post<void>(`/api/v1/conversations/${enc(id)}/read`, seq === undefined ? {} : { seq }),
  unread: (id: string) => api.post<void>(`/api/v1/conversations/${enc(id)}/unread`),
  updateMine: (id: string, body: { muted?: boolean; pinned?: boolean }) =>
    api.patch<unknown>(`/api/v1/conversations/${enc(id)}/me`, body),
  updateGroup: (id: string, body: T.UpdateGroup) => api.patch<T.Conversation>(`/api/v1/conversations/${enc(id)}`, body),
  addMembers: (id: string, memberIds: string[]) =>
    api.post<unknown>(`/api/v1/conversations/${enc(id)}/members`, { member_ids: memberIds }),
  removeMember: (id: string, memberId: string) => api.del(`/api/v1/conversations/${enc(id)}/members/${enc(memberId)}`),
  transfer: (id: string, memberId: string) =>
    api.post<unknown>(`/api/v1/conversations/${enc(id)}/transfer`, { member_id: memberId }),
  dissolve: (id: string) => api.del(`/api/v1/conversations/${enc(id)}`),
  recall: (messageId: string) => api.post<void>(`/api/v1/messages/${enc(messageId)}/recall`),
  receipts: (messageId: string) => api.get<T.Receipts>(`/api/v1/messages/${enc(messageId)}/receipts`),
  joinChain: (messageId: string, text: string) => api.post<unknown>(`/api/v1/messages/${enc(messageId)}/chain`, { text }),
  forward: (messageId: string, conversationIds: string[], clientMsgId: string) =>
    api.post<unknown>(`/api/v1/messages/${enc(messageId)}/forward`, { conversation_ids: conversationIds, client_msg_id: clientMsgId }),
  searchMessages: (q: string, opts: { conversation_id?: string; cursor?: string | null; limit?: number } = {}, signal?: AbortSignal) =>
    api.get<T.SearchPage>('/api/v1/search/messages', { query: { q, ...opts }, signal }),
  setMemberRole: (id: string, memberId: string, role: 'admin' | 'member') =>
    api.put<unknown>(`/api/v1/conversations/${enc(id)}/members/${enc(memberId)}/role`, { role }),
  sync: (have: Record<string, number>) => api.post<T.SyncResponse>('/api/v1/sync', { have }),
  updateChatSettings: (patch: T.ChatSettings) => api.patch<T.ChatSettings>('/api/v1/me/settings', patch),
};
