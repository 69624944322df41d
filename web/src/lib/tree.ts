// Builds the department tree from the flat list the server returns.
import type { Department } from '../api/types';

export interface DeptNode {
  dept: Department;
  children: DeptNode[];
  depth: number;
}

function byOrder(a: Department, b: Department): number {
  if (a.order !== b.order) return a.order - b.order;
  return a.name.localeCompare(b.name);
}

/**
 * Returns the top-level nodes. A department whose parent is missing (not visible
 * to the caller) becomes a top-level node; cycles in bad data are broken.
 */
export function buildDeptTree(depts: readonly Department[]): DeptNode[] {
  const byId = new Map<string, Department>();
  for (const d of depts) byId.set(d.id, d);
  const children = new Map<string | null, Department[]>();
  for (const d of depts) {
    const parent = d.parent_id && byId.has(d.parent_id) && d.parent_id !== d.id ? d.parent_id : null;
    const list = children.get(parent) ?? [];
    list.push(d);
    children.set(parent, list);
  }
  const seen = new Set<string>();
  const build = (d: Department, depth: number): DeptNode => {
    seen.add(d.id);
    const kids = (children.get(d.id) ?? []).filter((c) => !seen.has(c.id)).sort(byOrder);
    return { dept: d, depth, children: kids.map((c) => build(c, depth + 1)) };
  };
  const roots = (children.get(null) ?? []).sort(byOrder).map((d) => build(d, 0));
  // Anything unreached sits in a cycle: surface it at the top level.
  for (const d of [...depts].sort(byOrder)) {
    if (!seen.has(d.id)) roots.push(build(d, 0));
  }
  return roots;
}

/** Ids of `id` and all of its descendants. */
export function descendantIds(depts: readonly Department[], id: string): Set<string> {
  const out = new Set<string>([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of depts) {
      if (d.parent_id && out.has(d.parent_id) && !out.has(d.id)) {
        out.add(d.id);
        grew = true;
      }
    }
  }
  return out;
}

/** Names from the top down to `id`, e.g. ["Acme", "Tech", "Frontend"]. */
export function deptPath(depts: readonly Department[], id: string): string[] {
  const byId = new Map(depts.map((d) => [d.id, d]));
  const names: string[] = [];
  const seen = new Set<string>();
  let cur = byId.get(id);
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    names.unshift(cur.name);
    cur = cur.parent_id ? byId.get(cur.parent_id) : undefined;
  }
  return names;
}

/** Flattens the tree depth-first (useful for selects). */
export function flattenTree(nodes: readonly DeptNode[]): DeptNode[] {
  const out: DeptNode[] = [];
  const walk = (n: DeptNode) => {
    out.push(n);
    n.children.forEach(walk);
  };
  nodes.forEach(walk);
  return out;
}

export interface DropInfo {
  dragId: string;
  dropId: string;
  /** true when dropped onto the node itself (becomes its child) */
  dropToGap: boolean;
  /** -1 before the drop node, 1 after it (only meaningful with dropToGap) */
  position: -1 | 1;
}

export interface MovePlan {
  parent_id: string;
  /** Position among the new siblings (0 = first); the server renumbers the rest. */
  order: number;
}

/**
 * Works out the new parent and position for an antd Tree drop. Returns null for a
 * drop that makes no sense (onto itself, into its own subtree, or to the top
 * level where the organization root lives).
 */
export function planDrop(depts: readonly Department[], drop: DropInfo): MovePlan | null {
  const byId = new Map(depts.map((d) => [d.id, d]));
  const drag = byId.get(drop.dragId);
  const target = byId.get(drop.dropId);
  if (!drag || !target || drag.id === target.id) return null;
  const banned = descendantIds(depts, drag.id);
  if (!drop.dropToGap) {
    if (banned.has(target.id)) return null;
    const siblings = depts.filter((d) => d.parent_id === target.id && d.id !== drag.id);
    return { parent_id: target.id, order: siblings.length };
  }
  const parentId = target.parent_id;
  if (!parentId || banned.has(parentId)) return null;
  const siblings = depts.filter((d) => d.parent_id === parentId && d.id !== drag.id).sort(byOrder);
  const idx = siblings.findIndex((d) => d.id === target.id);
  return { parent_id: parentId, order: drop.position < 0 ? idx : idx + 1 };
}

/** The siblings of `id` (itself included) in display order. */
export function siblingsOf(depts: readonly Department[], id: string): Department[] {
  const d = depts.find((x) => x.id === id);
  if (!d) return [];
  const parent = d.parent_id ?? null;
  return depts.filter((x) => (x.parent_id ?? null) === parent).sort(byOrder);
}

/** Where `id` sits among its siblings (0-based) and how many there are. */
export function siblingPosition(depts: readonly Department[], id: string): { index: number; count: number } {
  const sibs = siblingsOf(depts, id);
  return { index: sibs.findIndex((x) => x.id === id), count: sibs.length };
}

/**
 * The `order` to send to move `id` one place up (`delta` -1) or down (+1) among its
 * siblings, or null when it is already first / last or is a top-level department.
 */
export function planStep(depts: readonly Department[], id: string, delta: -1 | 1): { order: number } | null {
  const d = depts.find((x) => x.id === id);
  if (!d || !d.parent_id) return null;
  const { index, count } = siblingPosition(depts, id);
  const next = index + delta;
  if (index < 0 || next < 0 || next >= count) return null;
  return { order: next };
}
