// Read-only department tree for the contacts screen.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Tree } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { ApartmentOutlined } from '@ant-design/icons';
import type { DeptNode } from '../../lib/tree';

export function toTreeData(nodes: DeptNode[], parentName = ''): DataNode[] {
  return nodes.map((n) => ({
    key: n.dept.id,
    title: (
      <span className="hd-dept-title" data-dept-name={n.dept.name} data-parent-name={parentName} data-testid="dept-node">
        {n.dept.name}
      </span>
    ),
    children: toTreeData(n.children, n.dept.name),
  }));
}

function allKeys(nodes: DeptNode[], out: string[] = []): string[] {
  for (const n of nodes) {
    out.push(n.dept.id);
    allKeys(n.children, out);
  }
  return out;
}

/** Expanded keys that start fully open and also open newly appearing departments. */
export function useAutoExpand(tree: DeptNode[]) {
  const [expanded, setExpanded] = useState<React.Key[]>([]);
  const known = useRef(new Set<string>());
  useEffect(() => {
    const keys = allKeys(tree);
    const fresh = keys.filter((k) => !known.current.has(k));
    fresh.forEach((k) => known.current.add(k));
    if (fresh.length) setExpanded((e) => [...e, ...fresh]);
  }, [tree]);
  return [expanded, setExpanded] as const;
}

interface Props {
  tree: DeptNode[];
  selected: string | null;
  onSelect: (id: string) => void;
}

export function DeptTree({ tree, selected, onSelect }: Props) {
  const data = useMemo(() => toTreeData(tree), [tree]);
  const [expanded, setExpanded] = useAutoExpand(tree);
  return (
    <Tree
      className="hd-tree"
      blockNode
      showIcon
      icon={<ApartmentOutlined />}
      treeData={data}
      expandedKeys={expanded}
      onExpand={setExpanded}
      selectedKeys={selected ? [selected] : []}
      onSelect={(keys, info) => onSelect(String(keys[0] ?? info.node.key))}
      data-testid="contacts-tree"
    />
  );
}
