// Payload types derived from the generated OpenAPI schema (src/api/schema.ts).
// Types are looked up by path + method so they do not depend on how the server
// names its component schemas.
import type { paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Ok<Op> = Op extends { responses: infer R }
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 201: infer B }
      ? Json<B>
      : never
  : never;
type Body<Op> = Op extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;

export type SetupStatus = Ok<paths['/api/v1/setup']['get']>;
export type SetupRequest = Body<paths['/api/v1/setup']['post']>;
export type LoginRequest = Body<paths['/api/v1/auth/login']['post']>;
export type LoginResponse = Ok<paths['/api/v1/auth/login']['post']>;
export type PasswordChange = Body<paths['/api/v1/auth/password']['post']>;
export type SessionList = Ok<paths['/api/v1/auth/sessions']['get']>;
export type SessionInfo = SessionList['items'][number];
export type MeResponse = Ok<paths['/api/v1/me']['get']>;
export type Settings = Ok<paths['/api/v1/me/settings']['patch']>;
export type SettingsPatch = Body<paths['/api/v1/me/settings']['patch']>;
export type Org = MeResponse['org'];

export type DepartmentList = Ok<paths['/api/v1/departments']['get']>;
export type Department = DepartmentList['items'][number];
export type Visibility = Department['visibility'];
export type VisibilityMode = Visibility['mode'];
export type CreateDepartment = Body<paths['/api/v1/departments']['post']>;
export type UpdateDepartment = Body<paths['/api/v1/departments/{id}']['patch']>;

export type MemberList = Ok<paths['/api/v1/members']['get']>;
export type Member = MemberList['items'][number];
export type MemberStatus = Member['status'];
export type Role = Member['role'];
export type CreateMember = Body<paths['/api/v1/members']['post']>;
export type UpdateMember = Body<paths['/api/v1/members/{id}']['patch']>;
export type ResetPassword = Body<paths['/api/v1/members/{id}/reset-password']['post']>;
export type SetRole = Body<paths['/api/v1/members/{id}/role']['put']>;

export type SearchResult = Ok<paths['/api/v1/directory/search']['get']>;
export type AuditPage = Ok<paths['/api/v1/audit-log']['get']>;
export type AuditEntry = AuditPage['items'][number];

// Chat. Written out by hand so content kinds are a discriminated union (the generated
// schema types forwarded content as a plain object).
export type ConversationKind = 'direct' | 'group' | 'channel';
export interface ChainEntry {
  member_id: string;
  text: string;
  created_at: number;
}
export type Content =
  | { kind: 'text'; text: string; mentions?: string[]; mention_all?: boolean }
  | { kind: 'location'; lat: number; lng: number; title?: string; address?: string }
  | { kind: 'link'; url: string; title?: string; description?: string }
  | { kind: 'chain'; title: string; allow_multiple?: boolean; entries?: ChainEntry[] }
  | {
      kind: 'forward';
      original: Content;
      original_sender_id: string;
      original_sender_name: string;
      original_created_at: number;
    }
  | { kind: 'image'; file_id: string; width?: number; height?: number }
  | { kind: 'file'; file_id: string; name?: string; size?: number }
  | { kind: 'voice'; file_id: string; duration_ms?: number }
  | { kind: 'recall'; message_id: string }
  | { kind: 'recalled' }
  | { kind: 'system'; text: string }
  /** An app notification (e.g. 审批): opens `path` in the client. */
  | { kind: 'card'; app: string; title: string; description?: string; path: string; status?: string };
export interface ChatMessage {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  client_msg_id: string;
  content: Content;
  reply_to?: string | null;
  recalled: boolean;
  created_at: number;
}
export interface Conversation {
  id: string;
  kind: ConversationKind;
  name: string;
  owner_id?: string | null;
  member_ids: string[];
  last_seq: number;
  read_seq: number;
  unread: number;
  muted: boolean;
  pinned: boolean;
  last_message?: ChatMessage | null;
  last_message_at: number;
  created_at: number;
  /** Groups: 群公告 (null when none). */
  announcement?: string | null;
  /** Groups: who may @all. */
  mention_all?: 'admins' | 'everyone' | string;
  /** Groups: only the owner and administrators may send. */
  only_admins_speak?: boolean;
  /** The caller's role: owner, admin or member. */
  my_role?: 'owner' | 'admin' | 'member' | string;
  /** Group administrators besides the owner. */
  admin_ids?: string[];
}
export interface ConversationList {
  items: Conversation[];
  total_unread: number;
}
export interface MessagePage {
  items: ChatMessage[];
  has_more: boolean;
}
export interface Receipts {
  message_id: string;
  read_count: number;
  total: number;
  read_by: string[];
  unread_by: string[];
}
export interface SyncResponse {
  changed: { conversation: Conversation; messages: ChatMessage[]; has_more: boolean }[];
  removed: string[];
}
export interface UpdateGroup {
  name?: string;
  announcement?: string;
  only_admins_speak?: boolean;
  mention_all?: 'admins' | 'everyone';
}
export interface QuietHours {
  enabled: boolean;
  start: string;
  end: string;
  utc_offset_minutes: number;
}
export interface ChatSettings {
  chat_background?: string | null;
  quiet_hours?: QuietHours | null;
  mentions_break_through?: boolean | null;
}
export interface SearchHit {
  conversation_id: string;
  message: ChatMessage;
  seq: number;
  snippet_html: string;
}
export interface SearchPage {
  items: SearchHit[];
  next_cursor?: string | null;
}
