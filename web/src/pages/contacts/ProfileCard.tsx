// Person card: opened from contacts lists and search results.
import { useEffect, useState } from 'react';
import { Button, Descriptions, Modal, Tag } from 'antd';
import { MessageOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { membersApi } from '../../api/endpoints';
import type { Member } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { useT } from '../../i18n/I18nProvider';
import { useDirectory } from '../../state/directory';

function useManagerName(managerId: string | null | undefined): string | null {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    setName(null);
    if (!managerId) return;
    let cancelled = false;
    membersApi.get(managerId).then(
      (m) => !cancelled && setName(m.name),
      () => !cancelled && setName(null),
    );
    return () => {
      cancelled = true;
    };
  }, [managerId]);
  return name;
}

export function ProfileCard({ member, onClose }: { member: Member | null; onClose: () => void }) {
  const t = useT();
  const navigate = useNavigate();
  const { deptName } = useDirectory();
  const managerName = useManagerName(member?.manager_id);
  const none = <span className="hd-muted">{t('profile.notSet')}</span>;

  return (
    <Modal open={!!member} onCancel={onClose} footer={null} width={420} destroyOnHidden title={null} className="hd-profile-modal">
      {member && (
        <div className="hd-profile" data-testid="profile-card">
          <div className="hd-profile-head">
            <Avatar name={member.name} id={member.id} url={member.avatar_url} size={64} />
            <div>
              <div className="hd-profile-name" data-testid="profile-name">
                {member.name}
                {member.status !== 'active' && (
                  <Tag className="hd-tag-gap" color={member.status === 'departed' ? 'default' : 'orange'}>
                    {t(`status.${member.status}`)}
                  </Tag>
                )}
              </div>
              <div className="hd-muted">{member.position || deptName(member.main_department_id)}</div>
            </div>
          </div>
          <Descriptions column={1} size="small" className="hd-profile-fields" labelStyle={{ width: 96 }}>
            <Descriptions.Item label={t('profile.position')}>{member.position || none}</Descriptions.Item>
            <Descriptions.Item label={t('profile.departments')}>
              {member.department_ids.length
                ? member.department_ids.map((id) => deptName(id)).filter(Boolean).join('、') || none
                : none}
            </Descriptions.Item>
            <Descriptions.Item label={t('profile.manager')}>{managerName ?? none}</Descriptions.Item>
            <Descriptions.Item label={t('profile.employeeId')}>{member.employee_id}</Descriptions.Item>
            <Descriptions.Item label={t('profile.phone')}>
              {member.phone ? <a href={`tel:${member.phone}`}>{member.phone}</a> : none}
            </Descriptions.Item>
            <Descriptions.Item label={t('profile.email')}>
              {member.email ? <a href={`mailto:${member.email}`}>{member.email}</a> : none}
            </Descriptions.Item>
          </Descriptions>
          <Button
            type="primary"
            block
            size="large"
            icon={<MessageOutlined />}
            className="hd-send-btn"
            data-testid="profile-send"
            onClick={() => {
              onClose();
              navigate(`/messages?to=${encodeURIComponent(member.id)}`);
            }}
          >
            {t('profile.sendMessage')}
          </Button>
        </div>
      )}
    </Modal>
  );
}
