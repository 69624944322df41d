// Helpers for the Administrators page.
import type { Member } from '../api/types';

/** The departments an administrator manages (empty for other roles). */
export function managedOf(m: Pick<Member, 'managed_department_ids'> | null | undefined): string[] {
  return m?.managed_department_ids ?? [];
}

/** Names of the managed departments for the list; super administrators manage everything. */
export function managedLabel(
  m: Pick<Member, 'role' | 'managed_department_ids'>,
  deptName: (id: string) => string,
  allLabel: string,
): string {
  if (m.role === 'super_admin') return allLabel;
  const names = managedOf(m).map(deptName).filter(Boolean);
  return names.length ? names.join('、') : '—';
}

/** Only super administrators may change roles (the server answers 403 to anyone else). */
export function canChangeRoles(role: Member['role'] | null | undefined): boolean {
  return role === 'super_admin';
}
