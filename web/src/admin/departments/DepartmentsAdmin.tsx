import { useMemo, useState } from 'react';
import { App as AntApp, Button, Empty, Tree } from 'antd';
import type { TreeProps } from 'antd';
import { ApartmentOutlined, PlusOutlined } from '@ant-design/icons';
import { departmentsApi } from '../../api/endpoints';
import { describeError } from '../../i18n/errors';
import { ErrorState, Loading } from '../../components/States';
import { useT } from '../../i18n/I18nProvider';
import { planDrop } from '../../lib/tree';
import { useDirectory, useMembers } from '../../state/directory';
import { toTreeData, useAutoExpand } from '../../pages/contacts/DeptTree';
import { CreateDepartmentDialog } from './CreateDepartmentDialog';
import { DepartmentEditor } from './DepartmentEditor';

export function DepartmentsAdmin() {
  const t = useT();
  const { message } = AntApp.useApp();
  const { tree, departments, loading, error, reload } = useDirectory();
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [moving, setMoving] = useState(false);
  const [expanded, setExpanded] = useAutoExpand(tree);
  const all = useMembers(useMemo(() => ({}), []));
  const data = useMemo(() => toTreeData(tree), [tree]);
  const dept = departments.find((d) => d.id === selected) ?? null;

  const onDrop: TreeProps['onDrop'] = async (info) => {
    const pos = String(info.node.pos).split('-');
    const relative = info.dropPosition - Number(pos[pos.length - 1]);
    const plan = planDrop(departments, {
      dragId: String(info.dragNode.key),
      dropId: String(info.node.key),
      dropToGap: info.dropToGap,
      position: relative < 0 ? -1 : 1,
    });
    if (!plan) {
      message.warning(t('dept.invalidDrop'));
      return;
    }
    setMoving(true);
    try {
      await departmentsApi.update(String(info.dragNode.key), { parent_id: plan.parent_id, order: plan.order });
      message.success(t('dept.moved'));
    } catch (e) {
      message.error(describeError(t, e));
    } finally {
      setMoving(false);
      void reload();
    }
  };

  if (error && departments.length === 0) return <ErrorState error={error} onRetry={reload} />;
  if (loading && departments.length === 0) return <Loading />;

  return (
    <div className="hd-admin-section">
      <div className="hd-section-head">
        <h2>{t('admin.departments')}</h2>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="dept-create">
          {t('dept.create')}
        </Button>
      </div>
      <div className="hd-dept-admin">
        <div className="hd-dept-admin-tree">
          <p className="hd-muted hd-hint">{t('dept.dragHint')}</p>
          <Tree
            className="hd-tree"
            draggable={{ icon: false, nodeDraggable: (n) => departments.find((d) => d.id === n.key)?.parent_id != null }}
            blockNode
            showIcon
            icon={<ApartmentOutlined />}
            treeData={data}
            disabled={moving}
            expandedKeys={expanded}
            onExpand={setExpanded}
            selectedKeys={selected ? [selected] : []}
            onSelect={(keys) => keys.length && setSelected(String(keys[0]))}
            allowDrop={({ dropNode, dropPosition }) => {
              const target = departments.find((d) => d.id === dropNode.key);
              return !!target && (dropPosition === 0 || target.parent_id != null);
            }}
            onDrop={onDrop}
            data-testid="admin-dept-tree"
          />
        </div>
        <div className="hd-dept-admin-editor">
          {dept ? (
            <DepartmentEditor
              dept={dept}
              members={all.members}
              onChanged={() => void reload()}
              onDeleted={() => {
                setSelected(null);
                void reload();
              }}
            />
          ) : (
            <Empty description={t('dept.selectHint')} />
          )}
        </div>
      </div>
      <CreateDepartmentDialog
        open={creating}
        parentId={selected}
        onClose={() => setCreating(false)}
        onCreated={(d) => {
          message.success(t('dept.created'));
          setCreating(false);
          setSelected(d.id);
          void reload();
        }}
      />
    </div>
  );
}
