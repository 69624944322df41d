import { useEffect, useMemo, useState } from 'react';
import { App as AntApp, Button, Card, Form, Radio, Select, Table, Tag, TreeSelect } from 'antd';
import { membersApi } from '../api/endpoints';
import { isApiError } from '../api/client';
import type { Member, Role } from '../api/types';
import { Avatar } from '../components/Avatar';
import { ErrorAlert } from '../components/ErrorAlert';
import { ErrorState } from '../components/States';
import { useT } from '../i18n/I18nProvider';
import { useDirectory, useMembers } from '../state/directory';
import { useSession } from '../state/session';
import { deptTreeSelect } from './deptOptions';

interface Values {
  member_id: string;
  role: Role;
  managed_department_ids: string[];
}

/** Managed departments, when the server includes them on a member. */
function managedOf(m: Member | undefined): string[] {
  const v = (m as { managed_department_ids?: unknown } | undefined)?.managed_department_ids;
  return Array.isArray(v) ? v.map(String) : [];
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
  const role = Form.useWatch('role', form);
  const memberId = Form.useWatch('member_id', form);
  const admins = members.filter((m) => m.role !== 'member');
  const canGrantSuper = me?.member.role === 'super_admin';

  useEffect(() => {
    const m = members.find((x) => x.id === memberId);
    if (m) form.setFieldsValue({ role: m.role, managed_department_ids: managedOf(m) });
  }, [memberId, members, form]);

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
      setFormError(isApiError(e) ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (error && members.length === 0) return <ErrorState error={error} onRetry={reload} />;

  return (
    <div className="hd-admin-section">
      <h2>{t('admin.admins')}</h2>
      <Card title={t('admins.setRole')} size="small" className="hd-card-gap">
        <ErrorAlert error={formError} />
        <Form form={form} name="role" layout="vertical" onFinish={submit} initialValues={{ role: 'admin', managed_department_ids: [] }}>
          <Form.Item name="member_id" label={t('admins.pickMember')} rules={[{ required: true, message: t('common.required') }]}>
            <Select
              showSearch
              optionFilterProp="label"
              options={members.map((m) => ({ value: m.id, label: `${m.name} (${m.employee_id})` }))}
              data-testid="role-member"
            />
          </Form.Item>
          <Form.Item name="role" label={t('member.role')}>
            <Radio.Group>
              <Radio value="member">{t('role.member')}</Radio>
              <Radio value="admin">{t('role.admin')}</Radio>
              <Radio value="super_admin" disabled={!canGrantSuper}>
                {t('role.super_admin')}
              </Radio>
            </Radio.Group>
          </Form.Item>
          {role === 'admin' && (
            <Form.Item name="managed_department_ids" label={t('admins.managed')} extra={t('admins.managedHint')}>
              <TreeSelect multiple treeDefaultExpandAll treeData={deptTreeSelect(tree)} />
            </Form.Item>
          )}
          <Button type="primary" htmlType="submit" loading={busy} data-testid="role-save">
            {t('common.save')}
          </Button>
        </Form>
      </Card>
      <Card title={t('admins.current')} size="small">
        <Table<Member>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={admins}
          pagination={false}
          scroll={{ x: 500 }}
          columns={[
            {
              title: t('member.name'),
              dataIndex: 'name',
              render: (_, m) => (
                <span className="hd-cell-person">
                  <Avatar name={m.name} id={m.id} size={24} /> {m.name}
                </span>
              ),
            },
            { title: t('member.employeeId'), dataIndex: 'employee_id' },
            { title: t('member.role'), dataIndex: 'role', render: (r: Role) => <Tag color={r === 'super_admin' ? 'gold' : 'blue'}>{t(`role.${r}`)}</Tag> },
            {
              title: t('admins.managed'),
              key: 'managed',
              render: (_, m) => (m.role === 'super_admin' ? t('common.all') : managedOf(m).map(deptName).join('、') || '—'),
            },
            {
              title: t('common.actions'),
              key: 'a',
              render: (_, m) => (
                <Button type="link" size="small" onClick={() => form.setFieldsValue({ member_id: m.id })}>
                  {t('common.edit')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}
