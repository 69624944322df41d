import type { Member } from '../../api/types';

/** Client-side text filter for the admin members table. */
export function matchesText(m: Member, text: string): boolean {
  const q = text.trim().toLowerCase();
  if (!q) return true;
  return [m.name, m.employee_id, m.phone, m.email, m.position].some((v) => v && v.toLowerCase().includes(q));
}
