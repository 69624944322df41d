import { useEffect, useState } from 'react';
import { Form, Input, Modal, Radio, Space, TreeSelect } from 'antd';
import { departmentsApi } from '../../api/endpoints';
import { describeError } from '../../i18n/errors';
import type { Department, VisibilityMode } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useT } from '../../i18n/I18nProvider';
import { useDirectory } from '../../state/directory';
import { deptTreeSelect } from '../deptOptions';

interface Values {
  name: string;
  parent_id: string;
  mode: VisibilityMode;
}

interface Props {
  open: boolean;
  parentId: string | null;
  onClose: () => void;
  onCreated: (d: Department) => void;
}

export function CreateDepartmentDialog({ open, parentId, onClose, onCreated }: Props) {
  const t = useT();
  const { tree } = useDirectory();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Initialise only when the dialog opens, so live tree reloads do not wipe typing.
  const rootId = tree[0]?.dept.id;
  useEffect(() => {
    if (open) {
      setError(null);
      form.resetFields();
      form.setFieldsValue({ parent_id: parentId ?? rootId, mode: 'all' });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      let d = await departmentsApi.create({ name: v.name.trim(), parent_id: v.parent_id });
      if (v.mode !== 'all') d = await departmentsApi.update(d.id, { visibility: { mode: v.mode, department_ids: [] } });
      onCreated(d);
    } catch (e) {
      setError(describeError(t, e, { fieldLabels: { name: t('dept.name') } }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('dept.create')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: busy, ...({ 'data-testid': 'dept-create-ok' } as Record<string, string>) }}
      forceRender
    >
      <ErrorAlert error={error} testId="dept-create-error" />
      <Form form={form} name="dept_create" layout="vertical" onFinish={submit}>
        <Form.Item name="name" label={t('dept.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input autoFocus data-testid="dc-name" />
        </Form.Item>
        <Form.Item name="parent_id" label={t('dept.parent')} rules={[{ required: true, message: t('common.required') }]}>
          <TreeSelect treeData={deptTreeSelect(tree)} treeDefaultExpandAll data-testid="dc-parent" />
        </Form.Item>
        <Form.Item name="mode" label={t('dept.visibility')}>
          <Radio.Group>
            <Space direction="vertical">
              <Radio value="all">{t('dept.visibility.all')}</Radio>
              <Radio value="members" data-testid="dc-visibility-members">
                {t('dept.visibility.members')}
              </Radio>
            </Space>
          </Radio.Group>
        </Form.Item>
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </Form>
    </Modal>
  );
}
