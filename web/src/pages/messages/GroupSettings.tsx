// Group settings drawer: members, announcement, speaking and @all rules, name,
// ownership transfer, leave and dissolve. Every change goes to the server, whose
// errors are shown in the user's language.
import { App as AntApp, Button, Drawer, Input, Popconfirm, Segmented, Select, Switch, Tooltip } from 'antd';
import { CloseOutlined, PlusOutlined, SafetyCertificateFilled, SafetyCertificateOutlined } from '@ant-design/icons';
import { useEffect, useState } from 'react';
import { chatApi } from '../../api/endpoints';
import type { Conversation, UpdateGroup } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { useChat } from '../../chat/ChatProvider';
import { isGroupAdmin } from '../../chat/logic';
import { describeError } from '../../i18n/errors';
import { useT } from '../../i18n/I18nProvider';
import { useSession } from '../../state/session';
import { GroupMembersDialog } from './dialogs';

export function GroupSettings({
  conv,
  open,
  onClose,
  announcement,
  onLeft,
  onOpen,
}: {
  conv: Conversation;
  open: boolean;
  onClose: () => void;
  announcement: string | null;
  onLeft: () => void;
  onOpen: (id: string) => void;
}) {
  const t = useT();
  const { me } = useSession();
  const { memberName, member, store, refreshConversation } = useChat();
  const { message } = AntApp.useApp();
  const myId = me?.member.id ?? '';
  const isOwner = conv.owner_id === myId;
  const isAdmin = isGroupAdmin(conv, myId);
  const [name, setName] = useState(conv.name);
  const [notice, setNotice] = useState(announcement ?? '');
  const speak = Boolean(conv.only_admins_speak);
  const policy = conv.mention_all === 'everyone' ? 'everyone' : 'admins';
  const [newOwner, setNewOwner] = useState<string | undefined>();
  const [adding, setAdding] = useState(false);
  useEffect(() => {
    if (open) {
      setName(conv.name);
      setNotice(announcement ?? '');
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const run = async (fn: () => Promise<unknown>, done?: () => void) => {
    try {
      await fn();
      done?.();
      message.success(t('common.saved'));
    } catch (e) {
      message.error(describeError(t, e));
    }
  };

  const others = conv.member_ids.filter((id) => id !== myId);
  const update = (body: UpdateGroup) =>
    void run(async () => {
      const updated = await chatApi.updateGroup(conv.id, body);
      if (updated && typeof updated === 'object' && 'id' in updated) store.upsertConversation(updated as Conversation);
      else await refreshConversation(conv.id);
    });
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t('chat.groupSettings')}
      width={380}
      className="hd-group-drawer"
      destroyOnHidden
      rootClassName="hd-group-drawer-root"
    >
      <div data-testid="group-settings" className="hd-group-settings">
        <section>
          <h3>{t('chat.members', { n: conv.member_ids.length })}</h3>
          <ul className="hd-member-grid">
            {conv.member_ids.map((id) => (
              <li key={id} data-testid="group-member" data-member-name={memberName(id)}>
                <Avatar name={memberName(id) || '?'} id={id} url={member(id)?.avatar_url} size={40} />
                <span className="hd-member-name">{id === myId ? t('chat.you') : memberName(id)}</span>
                {id === conv.owner_id && <span className="hd-owner-tag">{t('chat.owner')}</span>}
                {conv.admin_ids?.includes(id) && <span className="hd-owner-tag hd-admin-tag">{t('chat.admin')}</span>}
                {isOwner && id !== myId && (
                  <Tooltip title={conv.admin_ids?.includes(id) ? t('chat.removeAdmin') : t('chat.makeAdmin')}>
                    <button
                      type="button"
                      className={`hd-member-role${conv.admin_ids?.includes(id) ? ' on' : ''}`}
                      aria-label={`${conv.admin_ids?.includes(id) ? t('chat.removeAdmin') : t('chat.makeAdmin')} ${memberName(id)}`}
                      data-testid="group-member-role"
                      data-admin={conv.admin_ids?.includes(id) ? '1' : '0'}
                      onClick={() =>
                        void run(
                          () => chatApi.setMemberRole(conv.id, id, conv.admin_ids?.includes(id) ? 'member' : 'admin'),
                          () => void refreshConversation(conv.id),
                        )
                      }
                    >
                      {conv.admin_ids?.includes(id) ? <SafetyCertificateFilled /> : <SafetyCertificateOutlined />}
                    </button>
                  </Tooltip>
                )}
                {isAdmin && id !== myId && id !== conv.owner_id && (
                  <Popconfirm title={t('chat.confirmRemove', { name: memberName(id) })} onConfirm={() => run(() => chatApi.removeMember(conv.id, id), () => void refreshConversation(conv.id))}>
                    <button type="button" className="hd-member-remove" aria-label={`${t('chat.remove')} ${memberName(id)}`}>
                      <CloseOutlined />
                    </button>
                  </Popconfirm>
                )}
              </li>
            ))}
            <li>
              <button type="button" className="hd-member-add" onClick={() => setAdding(true)} aria-label={t('chat.addMembers')} data-testid="group-add">
                <PlusOutlined />
              </button>
              <span className="hd-member-name">{t('chat.addMembers')}</span>
            </li>
          </ul>
        </section>

        {isAdmin ? (
          <>
            <section>
              <h3>{t('chat.rename')}</h3>
              <div className="hd-inline">
                <Input value={name} maxLength={64} onChange={(e) => setName(e.target.value)} aria-label={t('chat.rename')} data-testid="group-rename" />
                <Button onClick={() => update({ name: name.trim() })} disabled={!name.trim() || name.trim() === conv.name}>
                  {t('common.save')}
                </Button>
              </div>
            </section>

            <section>
              <h3>{t('chat.announcement')}</h3>
              <Input.TextArea
                value={notice}
                onChange={(e) => setNotice(e.target.value)}
                autoSize={{ minRows: 2, maxRows: 6 }}
                maxLength={2000}
                placeholder={t('chat.announcementNone')}
                aria-label={t('chat.announcement')}
                data-testid="group-announcement"
              />
              <Button className="hd-gap-top" type="primary" onClick={() => update({ announcement: notice.trim() })} data-testid="group-announcement-save">
                {t('common.save')}
              </Button>
            </section>

            <section className="hd-setting-row">
              <span>{t('chat.onlyOwnerSpeak')}</span>
              <Switch checked={speak} onChange={(v) => update({ only_admins_speak: v })} aria-label={t('chat.onlyOwnerSpeak')} data-testid="group-only-owner" />
            </section>

            <section>
              <h3>{t('chat.mentionAllWho')}</h3>
              <Segmented
                value={policy}
                options={[
                  { value: 'admins', label: t('chat.policy.admins') },
                  { value: 'everyone', label: t('chat.policy.everyone') },
                ]}
                onChange={(v) => update({ mention_all: v as 'admins' | 'everyone' })}
              />
            </section>
          </>
        ) : (
          <section>
            <h3>{t('chat.announcement')}</h3>
            <div className="hd-announcement-text">{announcement || <span className="hd-muted">{t('chat.announcementNone')}</span>}</div>
          </section>
        )}

        {isOwner && others.length > 0 && (
          <section>
            <h3>{t('chat.transfer')}</h3>
            <div className="hd-inline">
              <Select
                value={newOwner}
                onChange={setNewOwner}
                placeholder={t('chat.transferTo')}
                aria-label={t('chat.transferTo')}
                options={others.map((id) => ({ value: id, label: memberName(id) }))}
                style={{ flex: 1 }}
              />
              <Popconfirm title={t('chat.transfer')} onConfirm={() => newOwner && run(() => chatApi.transfer(conv.id, newOwner), () => void refreshConversation(conv.id))}>
                <Button disabled={!newOwner}>{t('common.confirm')}</Button>
              </Popconfirm>
            </div>
          </section>
        )}

        <section className="hd-danger-zone">
          <Popconfirm
            title={t('chat.confirmLeave')}
            onConfirm={() =>
              run(
                () => chatApi.removeMember(conv.id, myId),
                () => {
                  store.removeConversation(conv.id);
                  onClose();
                  onLeft();
                },
              )
            }
          >
            <Button danger block data-testid="group-leave">
              {t('chat.leave')}
            </Button>
          </Popconfirm>
          {isOwner && (
            <Popconfirm
              title={t('chat.confirmDissolve')}
              onConfirm={() =>
                run(
                  () => chatApi.dissolve(conv.id),
                  () => {
                    store.removeConversation(conv.id);
                    onClose();
                    onLeft();
                  },
                )
              }
            >
              <Button danger type="primary" block data-testid="group-dissolve">
                {t('chat.dissolve')}
              </Button>
            </Popconfirm>
          )}
        </section>
      </div>
      <GroupMembersDialog open={adding} onClose={() => setAdding(false)} onDone={onOpen} addTo={conv.id} exclude={conv.member_ids} />
    </Drawer>
  );
}
