// Create / edit member dialog.
import { useEffect, useMemo, useState } from 'react';
import { Form, Input, Modal, Select, TreeSelect } from 'antd';
import { membersApi } from '../../api/endpoints';
import { isApiError } from '../../api/client';
import { describeError } from '../../i18n/errors';
import type { CreateMember, Member, UpdateMember } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useT } from '../../i18n/I18nProvider';
import { useDirectory } from '../../state/directory';
import { deptTreeSelect } from '../deptOptions';

interface Values {
  name: string;
  employee_id: string;
  phone?: string;
  email?: string;
  position?: string;
  department_ids: string[];
  main_department_id?: string | null;
  manager_id?: string | null;
  join_date?: string;
  leave_date?: string;
  status?: Member['status'];
  password?: string;
}

interface Props {
  open: boolean;
  member: Member | null; // null = create
  allMembers: Member[];
  defaultDepartment?: string | null;
  onClose: () => void;
  onSaved: (m: Member) => void;
}

const blankToNull = (v?: string | null) => (v && v.trim() ? v.trim() : null);

export function MemberForm({ open, member, allMembers, defaultDepartment, onClose, onSaved }: Props) {
  const t = useT();
  const { tree, deptName } = useDirectory();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const deptIds = Form.useWatch('department_ids', form) ?? [];

  useEffect(() => {
    if (!open) return;
    setError(null);
    form.resetFields();
    if (member) {
      form.setFieldsValue({
        ...member,
        phone: member.phone ?? undefined,
        email: member.email ?? undefined,
        position: member.position ?? undefined,
        join_date: member.join_date ?? undefined,
        leave_date: member.leave_date ?? undefined,
      });
    } else if (defaultDepartment) {
      form.setFieldsValue({ department_ids: [defaultDepartment], main_department_id: defaultDepartment });
    }
  }, [open, member, defaultDepartment, form]);

  const managerOptions = useMemo(
    () =>
      allMembers
        .filter((m) => m.id !== member?.id)
        .map((m) => ({ value: m.id, label: `${m.name} (${m.employee_id})` })),
    [allMembers, member],
  );

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    const main = v.main_department_id && v.department_ids.includes(v.main_department_id) ? v.main_department_id : (v.department_ids[0] ?? null);
    const common = {
      name: v.name.trim(),
      employee_id: v.employee_id.trim(),
      phone: blankToNull(v.phone),
      email: blankToNull(v.email),
      position: blankToNull(v.position),
      department_ids: v.department_ids,
      main_department_id: main,
      manager_id: v.manager_id ?? null,
      join_date: blankToNull(v.join_date),
    };
    try {
      let saved: Member;
      if (member) {
        const patch: UpdateMember = { ...common, status: v.status, leave_date: blankToNull(v.leave_date) };
        saved = await membersApi.update(member.id, patch);
      } else {
        const body: CreateMember = { ...common, ...(v.password ? { password: v.password } : {}) };
        saved = await membersApi.create(body);
      }
      onSaved(saved);
    } catch (e) {
      const msg = describeError(t, e, { fieldLabels: { name: t('member.name') } });
      setError(msg);
      if (isApiError(e) && e.field) form.setFields([{ name: e.field as keyof Values, errors: [msg] }]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={member ? t('member.edit') : t('member.create')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={member ? t('common.save') : t('common.create')}
      okButtonProps={{ loading: busy, ...({ 'data-testid': 'member-form-ok' } as Record<string, string>) }}
      cancelText={t('common.cancel')}
      destroyOnHidden
      forceRender
      width={560}
    >
      <ErrorAlert error={error} testId="member-form-error" />
      <Form form={form} name="member" layout="vertical" onFinish={submit} className="hd-member-form" data-testid="member-form">
        <div className="hd-form-grid">
          <Form.Item name="name" label={t('member.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input autoFocus data-testid="mf-name" />
          </Form.Item>
          <Form.Item name="employee_id" label={t('member.employeeId')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input data-testid="mf-employee-id" />
          </Form.Item>
          <Form.Item name="phone" label={t('member.phone')}>
            <Input type="tel" data-testid="mf-phone" />
          </Form.Item>
          <Form.Item name="email" label={t('member.email')} rules={[{ type: 'email' }]}>
            <Input type="email" data-testid="mf-email" />
          </Form.Item>
          <Form.Item name="position" label={t('member.position')}>
            <Input data-testid="mf-position" />
          </Form.Item>
          <Form.Item name="join_date" label={t('member.joinDate')}>
            <Input type="date" />
          </Form.Item>
        </div>
        <Form.Item name="department_ids" label={t('member.departments')} rules={[{ required: true, message: t('common.required') }]}>
          <TreeSelect
            multiple
            treeDefaultExpandAll
            treeData={deptTreeSelect(tree)}
            showSearch
            treeNodeFilterProp="title"
            data-testid="mf-departments"
          />
        </Form.Item>
        <div className="hd-form-grid">
          <Form.Item name="main_department_id" label={t('member.mainDepartment')}>
            <Select allowClear options={deptIds.map((id) => ({ value: id, label: deptName(id) }))} />
          </Form.Item>
          <Form.Item name="manager_id" label={t('member.manager')}>
            <Select allowClear showSearch optionFilterProp="label" options={managerOptions} />
          </Form.Item>
        </div>
        {member ? (
          <div className="hd-form-grid">
            <Form.Item name="status" label={t('member.status')}>
              <Select
                options={(['active', 'disabled', 'departed'] as const).map((s) => ({ value: s, label: t(`status.${s}`) }))}
              />
            </Form.Item>
            <Form.Item name="leave_date" label={t('member.leaveDate')}>
              <Input type="date" />
            </Form.Item>
          </div>
        ) : (
          <Form.Item name="password" label={t('member.password')} extra={t('member.passwordHint')} rules={[{ min: 8, message: t('password.minLength') }]}>
            <Input.Password autoComplete="new-password" data-testid="mf-password" />
          </Form.Item>
        )}
        <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
      </Form>
    </Modal>
  );
}
