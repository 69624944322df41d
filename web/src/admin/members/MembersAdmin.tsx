import { useMemo, useState } from 'react';
import { App as AntApp, Button, Dropdown, Input, Select, Space, Table, Tag, TreeSelect } from 'antd';
import { MoreOutlined, PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { membersApi } from '../../api/endpoints';
import { describeError } from '../../i18n/errors';
import type { Member, MemberStatus } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { ErrorState } from '../../components/States';
import { useT } from '../../i18n/I18nProvider';
import { useDirectory, useMembers } from '../../state/directory';
import { useSession } from '../../state/session';
import { deptTreeSelect } from '../deptOptions';
import { matchesText } from './filter';
import { MemberForm } from './MemberForm';
import { ResetPasswordDialog } from './ResetPasswordDialog';

const STATUS_COLOR: Record<MemberStatus, string> = { active: 'green', disabled: 'orange', departed: 'default' };

export function MembersAdmin() {
  const t = useT();
  const { modal, message } = AntApp.useApp();
  const { tree, deptName } = useDirectory();
  const { me } = useSession();
  const [dept, setDept] = useState<string | undefined>();
  const [status, setStatus] = useState<MemberStatus | undefined>();
  const [text, setText] = useState('');
  const [editing, setEditing] = useState<Member | null | 'new'>(null);
  const [resetting, setResetting] = useState<Member | null>(null);

  const query = useMemo(() => ({ ...(dept ? { department_id: dept } : {}), ...(status ? { status } : {}) }), [dept, status]);
  const { members, loading, error, reload } = useMembers(query);
  const all = useMembers(useMemo(() => ({}), []));
  const rows = useMemo(() => members.filter((m) => matchesText(m, text)), [members, text]);

  const run = async (fn: () => Promise<unknown>, ok: string) => {
    try {
      await fn();
      message.success(ok);
      reload();
      all.reload();
    } catch (e) {
      message.error(describeError(t, e));
    }
  };

  const setMemberStatus = (m: Member, s: MemberStatus) =>
    run(
      () => membersApi.update(m.id, s === 'departed' ? { status: s, leave_date: new Date().toISOString().slice(0, 10) } : { status: s }),
      t('member.updated'),
    );

  const confirmDelete = (m: Member) =>
    modal.confirm({
      title: t('member.deleteConfirm', { name: m.name }),
      okType: 'danger',
      okText: t('common.delete'),
      cancelText: t('common.cancel'),
      onOk: () => run(() => membersApi.remove(m.id), t('member.deleted')),
    });

  if (error && members.length === 0) return <ErrorState error={error} onRetry={reload} />;

  return (
    <div className="hd-admin-section">
      <div className="hd-section-head">
        <h2>{t('admin.members')}</h2>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="member-create">
          {t('member.create')}
        </Button>
      </div>
      <Space wrap className="hd-filters">
        <Input
          allowClear
          prefix={<SearchOutlined />}
          placeholder={t('member.filterText')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-label={t('member.filterText')}
          style={{ width: 240 }}
        />
        <TreeSelect
          allowClear
          placeholder={t('member.filterDept')}
          treeData={deptTreeSelect(tree)}
          treeDefaultExpandAll
          value={dept}
          onChange={setDept}
          style={{ width: 200 }}
          aria-label={t('member.filterDept')}
        />
        <Select<MemberStatus>
          allowClear
          placeholder={t('member.filterStatus')}
          value={status}
          onChange={setStatus}
          style={{ width: 140 }}
          options={(['active', 'disabled', 'departed'] as const).map((s) => ({ value: s, label: t(`status.${s}`) }))}
          aria-label={t('member.filterStatus')}
        />
      </Space>
      <Table<Member>
        rowKey="id"
        size="middle"
        loading={loading}
        dataSource={rows}
        scroll={{ x: 900 }}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: t('member.empty') }}
        data-testid="members-table"
        columns={[
          {
            title: t('member.name'),
            dataIndex: 'name',
            fixed: 'left',
            width: 160,
            render: (_, m) => (
              <span className="hd-cell-person">
                <Avatar name={m.name} id={m.id} url={m.avatar_url} size={28} />
                <span>{m.name}</span>
              </span>
            ),
          },
          { title: t('member.employeeId'), dataIndex: 'employee_id', width: 120 },
          { title: t('member.position'), dataIndex: 'position', width: 120, render: (v) => v ?? '—' },
          {
            title: t('member.departments'),
            dataIndex: 'department_ids',
            render: (ids: string[]) => ids.map((id) => deptName(id)).filter(Boolean).join('、') || '—',
          },
          { title: t('member.phone'), dataIndex: 'phone', width: 130, render: (v) => v ?? '—' },
          {
            title: t('member.status'),
            dataIndex: 'status',
            width: 90,
            render: (s: MemberStatus) => <Tag color={STATUS_COLOR[s]}>{t(`status.${s}`)}</Tag>,
          },
          { title: t('member.role'), dataIndex: 'role', width: 110, render: (r: Member['role']) => t(`role.${r}`) },
          {
            title: t('common.actions'),
            key: 'actions',
            fixed: 'right',
            width: 110,
            render: (_, m) => (
              <Space size={0}>
                <Button type="link" size="small" onClick={() => setEditing(m)} data-testid="member-edit">
                  {t('common.edit')}
                </Button>
                <Dropdown
                  trigger={['click']}
                  menu={{
                    items: [
                      m.status === 'active'
                        ? { key: 'disable', label: t('member.disable'), disabled: m.id === me?.member.id }
                        : { key: 'enable', label: t('member.enable') },
                      { key: 'departed', label: t('member.markDeparted'), disabled: m.status === 'departed' || m.id === me?.member.id },
                      { key: 'reset', label: t('member.resetPassword') },
                      { type: 'divider' },
                      { key: 'delete', label: t('common.delete'), danger: true, disabled: m.id === me?.member.id },
                    ],
                    onClick: ({ key }) => {
                      if (key === 'disable') void setMemberStatus(m, 'disabled');
                      else if (key === 'enable') void setMemberStatus(m, 'active');
                      else if (key === 'departed') void setMemberStatus(m, 'departed');
                      else if (key === 'reset') setResetting(m);
                      else if (key === 'delete') confirmDelete(m);
                    },
                  }}
                >
                  <Button type="text" size="small" icon={<MoreOutlined />} aria-label={t('common.actions')} />
                </Dropdown>
              </Space>
            ),
          },
        ]}
      />
      <MemberForm
        open={editing !== null}
        member={editing === 'new' ? null : editing}
        allMembers={all.members}
        defaultDepartment={dept}
        onClose={() => setEditing(null)}
        onSaved={() => {
          message.success(editing === 'new' ? t('member.created') : t('member.updated'));
          setEditing(null);
          reload();
          all.reload();
        }}
      />
      <ResetPasswordDialog
        member={resetting}
        onClose={() => setResetting(null)}
        onDone={() => {
          message.success(t('member.passwordReset'));
          setResetting(null);
        }}
      />
    </div>
  );
}
