import { useMemo, useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Form, Radio, Select, Table, Tag, TreeSelect } from 'antd';
import type { TableColumnsType } from 'antd';
import { membersApi } from '../api/endpoints';
import type { Member, Role } from '../api/types';
import { Avatar } from '../components/Avatar';
import { ErrorAlert } from '../components/ErrorAlert';
import { ErrorState } from '../components/States';
import { useT } from '../i18n/I18nProvider';
import { describeError } from '../i18n/errors';
import { useDirectory, useMembers } from '../state/directory';
import { useSession } from '../state/session';
import { canChangeRoles, managedLabel, managedOf } from './admins';
import { deptTreeSelect } from './deptOptions';

interface Values {
  member_id: string;
  role: Role;
  managed_department_ids: string[];
}

export function AdminsAdmin() {
  const t = useT();
  const { message } = AntApp.useApp();
  const { tree, deptName } = useDirectory();
  const { me, refresh } = useSession();
  const { members, loading, error, reload } = useMembers(useMemo(() => ({}), []));
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const formCard = useRef<HTMLDivElement>(null);
  const role = Form.useWatch('role', form);
  const admins = members.filter((m) => m.role !== 'member');
  const canEdit = canChangeRoles(me?.member.role);

  /** Loads a member's current role and managed departments into the form. */
  const pick = (id: string) => {
    const m = members.find((x) => x.id === id);
    setFormError(null);
    form.setFieldsValue({ member_id: id, role: m?.role ?? 'admin', managed_department_ids: managedOf(m) });
  };

  const edit = (m: Member) => {
    pick(m.id);
    formCard.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    formCard.current?.querySelector<HTMLInputElement>('input[type="radio"]:checked')?.focus();
  };

  const submit = async (v: Values) => {
    setBusy(true);
    setFormError(null);
    try {
      await membersApi.setRole(v.member_id, {
        role: v.role,
        managed_department_ids: v.role === 'admin' ? (v.managed_department_ids ?? []) : [],
      });
      message.success(t('admins.updated'));
      reload();
      if (v.member_id === me?.member.id) await refresh();
    } catch (e) {
      setFormError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };

  if (error && members.length === 0) return <ErrorState error={error} onRetry={reload} />;

  const columns: TableColumnsType<Member> = [
    {
      title: t('member.name'),
      dataIndex: 'name',
      render: (_, m) => (
        <span className="hd-cell-person">
          <Avatar name={m.name} id={m.id} url={m.avatar_url} size={24} /> {m.name}
        </span>
      ),
    },
    { title: t('member.employeeId'), dataIndex: 'employee_id' },
    {
      title: t('member.role'),
      dataIndex: 'role',
      render: (r: Role) => <Tag color={r === 'super_admin' ? 'gold' : 'blue'}>{t(`role.${r}`)}</Tag>,
    },
    {
      title: t('admins.managed'),
      key: 'managed',
      render: (_, m) => <span data-testid="admin-managed">{managedLabel(m, deptName, t('common.all'))}</span>,
    },
  ];
  if (canEdit) {
    columns.push({
      title: t('common.actions'),
      key: 'a',
      render: (_, m) => (
        <Button type="link" size="small" onClick={() => edit(m)} data-testid="admin-edit">
          {t('common.edit')}
        </Button>
      ),
    });
  }

  return (
    <div className="hd-admin-section">
      <h2>{t('admin.admins')}</h2>
      {canEdit ? (
        <Card title={t('admins.setRole')} size="small" className="hd-card-gap" ref={formCard} data-testid="admins-role-form">
          <ErrorAlert error={formError} />
          <Form form={form} name="role" layout="vertical" onFinish={submit} initialValues={{ role: 'admin', managed_department_ids: [] }}>
            <Form.Item name="member_id" label={t('admins.pickMember')} rules={[{ required: true, message: t('common.required') }]}>
              <Select
                showSearch
                optionFilterProp="label"
                options={members.map((m) => ({ value: m.id, label: `${m.name} (${m.employee_id})` }))}
                onChange={(id: string) => pick(id)}
                data-testid="role-member"
              />
            </Form.Item>
            <Form.Item name="role" label={t('member.role')}>
              <Radio.Group>
                <Radio value="member">{t('role.member')}</Radio>
                <Radio value="admin">{t('role.admin')}</Radio>
                <Radio value="super_admin">{t('role.super_admin')}</Radio>
              </Radio.Group>
            </Form.Item>
            {role === 'admin' && (
              <Form.Item name="managed_department_ids" label={t('admins.managed')} extra={t('admins.managedHint')}>
                <TreeSelect multiple treeDefaultExpandAll treeData={deptTreeSelect(tree)} data-testid="role-managed" />
              </Form.Item>
            )}
            <Button type="primary" htmlType="submit" loading={busy} data-testid="role-save">
              {t('common.save')}
            </Button>
          </Form>
        </Card>
      ) : (
        <Alert type="info" showIcon className="hd-card-gap" message={t('admins.readOnly')} data-testid="admins-readonly" />
      )}
      <Card title={t('admins.current')} size="small">
        <Table<Member>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={admins}
          pagination={false}
          scroll={{ x: 500 }}
          columns={columns}
          data-testid="admins-table"
        />
      </Card>
    </div>
  );
}
