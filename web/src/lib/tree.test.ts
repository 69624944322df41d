import { describe, expect, it } from 'vitest';
import type { Department } from '../api/types';
import { buildDeptTree, deptPath, descendantIds, flattenTree, planDrop, planStep, siblingPosition, siblingsOf } from './tree';

const dept = (id: string, parent_id: string | null, name: string, order = 0): Department => ({
  id,
  parent_id,
  name,
  order,
  leader_ids: [],
  visibility: { mode: 'all', department_ids: [] },
});

const flat = [
  dept('fe', 'tech', '前端组', 0),
  dept('root', null, 'Acme'),
  dept('tech', 'root', '技术部', 1),
  dept('prod', 'root', '产品部', 0),
  dept('be', 'tech', '后端组', 1),
];

describe('buildDeptTree', () => {
  it('nests children under parents sorted by order', () => {
    const tree = buildDeptTree(flat);
    expect(tree).toHaveLength(1);
    expect(tree[0].dept.id).toBe('root');
    expect(tree[0].children.map((c) => c.dept.name)).toEqual(['产品部', '技术部']);
    expect(tree[0].children[1].children.map((c) => c.dept.id)).toEqual(['fe', 'be']);
    expect(tree[0].children[1].children[0].depth).toBe(2);
  });

  it('breaks order ties by name', () => {
    const tree = buildDeptTree([dept('r', null, 'R'), dept('b', 'r', 'B', 5), dept('a', 'r', 'A', 5)]);
    expect(tree[0].children.map((c) => c.dept.name)).toEqual(['A', 'B']);
  });

  it('lifts departments whose parent is not visible to the top level', () => {
    const tree = buildDeptTree([dept('fe', 'tech', '前端组'), dept('x', 'fe', 'X')]);
    expect(tree.map((n) => n.dept.id)).toEqual(['fe']);
    expect(tree[0].children[0].dept.id).toBe('x');
  });

  it('survives cycles in bad data', () => {
    const tree = buildDeptTree([dept('a', 'b', 'A'), dept('b', 'a', 'B')]);
    expect(flattenTree(tree).map((n) => n.dept.id).sort()).toEqual(['a', 'b']);
  });

  it('returns an empty list for no departments', () => {
    expect(buildDeptTree([])).toEqual([]);
  });
});

describe('tree helpers', () => {
  it('descendantIds includes the node and its whole subtree', () => {
    expect([...descendantIds(flat, 'tech')].sort()).toEqual(['be', 'fe', 'tech']);
  });

  it('deptPath walks up to the root', () => {
    expect(deptPath(flat, 'fe')).toEqual(['Acme', '技术部', '前端组']);
  });

  it('flattenTree is depth-first', () => {
    expect(flattenTree(buildDeptTree(flat)).map((n) => n.dept.id)).toEqual(['root', 'prod', 'tech', 'fe', 'be']);
  });
});

describe('planDrop', () => {
  it('dropping onto a node re-parents to it at the end', () => {
    expect(planDrop(flat, { dragId: 'fe', dropId: 'prod', dropToGap: false, position: 1 })).toEqual({ parent_id: 'prod', order: 0 });
    const plan = planDrop(flat, { dragId: 'prod', dropId: 'tech', dropToGap: false, position: 1 });
    expect(plan).toEqual({ parent_id: 'tech', order: 2 });
  });

  it('dropping into a gap takes the target parent and the position next to it', () => {
    // put 后端组 before 前端组
    expect(planDrop(flat, { dragId: 'be', dropId: 'fe', dropToGap: true, position: -1 })).toEqual({ parent_id: 'tech', order: 0 });
    // put 前端组 after 后端组
    expect(planDrop(flat, { dragId: 'fe', dropId: 'be', dropToGap: true, position: 1 })).toEqual({ parent_id: 'tech', order: 1 });
    // move 前端组 after 技术部 (to the root level)
    expect(planDrop(flat, { dragId: 'fe', dropId: 'tech', dropToGap: true, position: 1 })).toEqual({ parent_id: 'root', order: 2 });
  });

  it('refuses drops into the own subtree, onto itself, or beside the root', () => {
    expect(planDrop(flat, { dragId: 'tech', dropId: 'fe', dropToGap: false, position: 1 })).toBeNull();
    expect(planDrop(flat, { dragId: 'tech', dropId: 'tech', dropToGap: false, position: 1 })).toBeNull();
    expect(planDrop(flat, { dragId: 'tech', dropId: 'root', dropToGap: true, position: 1 })).toBeNull();
    expect(planDrop(flat, { dragId: 'nope', dropId: 'root', dropToGap: false, position: 1 })).toBeNull();
  });
});

describe('keyboard reordering', () => {
  it('finds the position among siblings', () => {
    expect(siblingsOf(flat, 'tech').map((d) => d.id)).toEqual(['prod', 'tech']);
    expect(siblingPosition(flat, 'tech')).toEqual({ index: 1, count: 2 });
    expect(siblingPosition(flat, 'fe')).toEqual({ index: 0, count: 2 });
    expect(siblingPosition(flat, 'root')).toEqual({ index: 0, count: 1 });
    expect(siblingPosition(flat, 'missing')).toEqual({ index: -1, count: 0 });
  });

  it('plans one step up or down as the new 0-based order', () => {
    expect(planStep(flat, 'tech', -1)).toEqual({ order: 0 });
    expect(planStep(flat, 'tech', 1)).toBeNull();
    expect(planStep(flat, 'prod', 1)).toEqual({ order: 1 });
    expect(planStep(flat, 'prod', -1)).toBeNull();
    expect(planStep(flat, 'be', -1)).toEqual({ order: 0 });
    // the organization root never moves
    expect(planStep(flat, 'root', 1)).toBeNull();
    expect(planStep(flat, 'missing', 1)).toBeNull();
  });

  it('uses display order, not raw order values (gaps and ties by name)', () => {
    const gappy = [dept('r', null, 'R'), dept('a', 'r', 'A', 10), dept('b', 'r', 'B', 10), dept('c', 'r', 'C', 30)];
    expect(siblingsOf(gappy, 'c').map((d) => d.id)).toEqual(['a', 'b', 'c']);
    expect(planStep(gappy, 'c', -1)).toEqual({ order: 1 });
    expect(planStep(gappy, 'a', 1)).toEqual({ order: 1 });
  });
});
