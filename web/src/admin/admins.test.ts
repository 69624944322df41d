import { describe, expect, it } from 'vitest';
import { canChangeRoles, managedLabel, managedOf } from './admins';

const names: Record<string, string> = { d1: '技术部', d2: '财务部' };
const deptName = (id: string) => names[id] ?? '';

describe('administrators page helpers', () => {
  it('only super administrators may change roles', () => {
    expect(canChangeRoles('super_admin')).toBe(true);
    expect(canChangeRoles('admin')).toBe(false);
    expect(canChangeRoles('member')).toBe(false);
    expect(canChangeRoles(undefined)).toBe(false);
  });

  it('reads managed departments for pre-filling the form', () => {
    expect(managedOf({ managed_department_ids: ['d1', 'd2'] })).toEqual(['d1', 'd2']);
    expect(managedOf(undefined)).toEqual([]);
    expect(managedOf({} as { managed_department_ids: string[] })).toEqual([]);
  });

  it('lists managed department names', () => {
    expect(managedLabel({ role: 'admin', managed_department_ids: ['d1', 'd2'] }, deptName, 'All')).toBe('技术部、财务部');
    expect(managedLabel({ role: 'admin', managed_department_ids: ['gone', 'd2'] }, deptName, 'All')).toBe('财务部');
    expect(managedLabel({ role: 'admin', managed_department_ids: [] }, deptName, 'All')).toBe('—');
    expect(managedLabel({ role: 'super_admin', managed_department_ids: [] }, deptName, '全部')).toBe('全部');
  });
});
