import type { DeptNode } from '../lib/tree';

export interface TreeSelectNode {
  value: string;
  title: string;
  children: TreeSelectNode[];
  disabled?: boolean;
}

/** antd TreeSelect data from the department tree; `disabled` ids cannot be picked. */
export function deptTreeSelect(nodes: DeptNode[], disabled?: Set<string>): TreeSelectNode[] {
  return nodes.map((n) => ({
    value: n.dept.id,
    title: n.dept.name,
    disabled: disabled?.has(n.dept.id) || undefined,
    children: deptTreeSelect(n.children, disabled),
  }));
}
