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
