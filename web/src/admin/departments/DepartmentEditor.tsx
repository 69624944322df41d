// Edit one department: name, parent, position among siblings, leaders, visibility; delete.
import { useEffect, useMemo, useRef, useState } from 'react';
import { App as AntApp, Button, Form, Input, Popconfirm, Radio, Select, Space, TreeSelect } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from '@ant-design/icons';
import { departmentsApi } from '../../api/endpoints';
import { describeError } from '../../i18n/errors';
import type { Department, Member, UpdateDepartment, VisibilityMode } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useT } from '../../i18n/I18nProvider';
import { descendantIds, planStep, siblingPosition } from '../../lib/tree';
import { useDirectory } from '../../state/directory';
import { deptTreeSelect } from '../deptOptions';

interface Values {
  name: string;
  parent_id?: string;
  leader_ids: string[];
  mode: VisibilityMode;
  listed: string[];
}

interface Props {
  dept: Department;
  members: Member[];
  onChanged: () => void;
  onDeleted: () => void;
}

export function DepartmentEditor({ dept, members, onChanged, onDeleted }: Props) {
  const t = useT();
  const { message } = AntApp.useApp();
  const { tree, departments } = useDirectory();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [moving, setMoving] = useState(false);
  const upRef = useRef<HTMLButtonElement>(null);
  const downRef = useRef<HTMLButtonElement>(null);
  const mode = Form.useWatch('mode', form);
  const isRoot = !dept.parent_id;
  const deptLabels = { fieldLabels: { name: t('dept.name') } };
  const position = siblingPosition(departments, dept.id);
  const upPlan = planStep(departments, dept.id, -1);
  const downPlan = planStep(departments, dept.id, 1);

  // Reset the form only when the department's data really changes (live reloads
  // hand us fresh objects with the same content).
  const snapshot = JSON.stringify(dept);
  useEffect(() => {
    setError(null);
    form.setFieldsValue({
      name: dept.name,
      parent_id: dept.parent_id ?? undefined,
      leader_ids: dept.leader_ids,
      mode: dept.visibility.mode,
      listed: dept.visibility.department_ids,
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [snapshot, form]);

  const banned = useMemo(() => descendantIds(departments, dept.id), [departments, dept.id]);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    const patch: UpdateDepartment = {
      name: v.name.trim(),
      leader_ids: v.leader_ids ?? [],
      visibility: { mode: v.mode, department_ids: v.mode === 'listed' ? (v.listed ?? []) : [] },
    };
    if (!isRoot && v.parent_id && v.parent_id !== dept.parent_id) patch.parent_id = v.parent_id;
    try {
      await departmentsApi.update(dept.id, patch);
      message.success(t('dept.updated'));
      onChanged();
    } catch (e) {
      setError(describeError(t, e, deptLabels));
    } finally {
      setBusy(false);
    }
  };

  /** Keyboard-friendly reordering: one place up or down among the siblings. */
  const step = async (delta: -1 | 1) => {
    const plan = delta < 0 ? upPlan : downPlan;
    if (!plan) return;
    setMoving(true);
    setError(null);
    try {
      await departmentsApi.update(dept.id, { order: plan.order });
      message.success(t('dept.moved'));
      // Keep focus on a usable control when the department reaches either end.
      if (plan.order === 0) downRef.current?.focus();
      else if (plan.order === position.count - 1) upRef.current?.focus();
      onChanged();
    } catch (e) {
      setError(describeError(t, e, deptLabels));
    } finally {
      setMoving(false);
    }
  };

  const remove = async () => {
    setError(null);
    try {
      await departmentsApi.remove(dept.id);
      message.success(t('dept.deleted'));
      onDeleted();
    } catch (e) {
      setError(describeError(t, e, deptLabels));
    }
  };

  return (
    <div className="hd-dept-editor" data-testid="dept-editor">
      <ErrorAlert error={error} testId="dept-error" />
      <Form form={form} name="dept_edit" layout="vertical" onFinish={submit} disabled={busy}>
        <Form.Item name="name" label={t('dept.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input data-testid="de-name" />
        </Form.Item>
        {isRoot ? (
          <p className="hd-muted">{t('dept.rootHint')}</p>
        ) : (
          <>
            <Form.Item name="parent_id" label={t('dept.parent')}>
              <TreeSelect treeData={deptTreeSelect(tree, banned)} treeDefaultExpandAll data-testid="de-parent" />
            </Form.Item>
            <Form.Item label={t('dept.order')}>
              <Space wrap className="hd-dept-order" role="group" aria-label={t('dept.order')}>
                <Button
                  ref={upRef}
                  icon={<ArrowUpOutlined />}
                  onClick={() => void step(-1)}
                  disabled={!upPlan || moving}
                  data-testid="de-move-up"
                >
                  {t('dept.moveUp')}
                </Button>
                <Button
                  ref={downRef}
                  icon={<ArrowDownOutlined />}
                  onClick={() => void step(1)}
                  disabled={!downPlan || moving}
                  data-testid="de-move-down"
                >
                  {t('dept.moveDown')}
                </Button>
                {position.index >= 0 && (
                  <span className="hd-muted" aria-live="polite" data-testid="de-position">
                    {t('dept.orderPosition', { pos: position.index + 1, total: position.count })}
                  </span>
                )}
              </Space>
            </Form.Item>
          </>
        )}
        <Form.Item name="leader_ids" label={t('dept.leaders')}>
          <Select
            mode="multiple"
            showSearch
            optionFilterProp="label"
            options={members
              .filter((m) => m.department_ids.includes(dept.id))
              .map((m) => ({ value: m.id, label: `${m.name} (${m.employee_id})` }))}
          />
        </Form.Item>
        <Form.Item name="mode" label={t('dept.visibility')}>
          <Radio.Group data-testid="de-visibility">
            <Space direction="vertical">
              <Radio value="all">{t('dept.visibility.all')}</Radio>
              <Radio value="members" data-testid="de-visibility-members">
                {t('dept.visibility.members')}
              </Radio>
              <Radio value="listed">{t('dept.visibility.listed')}</Radio>
            </Space>
          </Radio.Group>
        </Form.Item>
        {mode === 'listed' && (
          <Form.Item name="listed" label={t('dept.visibility.listedDepts')}>
            <TreeSelect multiple treeData={deptTreeSelect(tree, new Set([dept.id]))} treeDefaultExpandAll />
          </Form.Item>
        )}
        <Space wrap>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="de-save">
            {t('common.save')}
          </Button>
          {!isRoot && (
            <Popconfirm
              title={t('dept.deleteConfirm', { name: dept.name })}
              okText={t('common.delete')}
              cancelText={t('common.cancel')}
              okButtonProps={{ danger: true }}
              onConfirm={remove}
            >
              <Button danger icon={<DeleteOutlined />} data-testid="de-delete">
                {t('common.delete')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      </Form>
    </div>
  );
}
