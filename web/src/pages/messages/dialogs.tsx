// Pickers: colleagues (new chat, new group, add members) and conversations (forward).
import { App as AntApp, Checkbox, Input, Modal, Tag } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { useEffect, useState } from 'react';
import { chatApi, directoryApi, membersApi } from '../../api/endpoints';
import type { Member } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { useChat } from '../../chat/ChatProvider';
import { newClientMsgId } from '../../chat/store';
import { describeError } from '../../i18n/errors';
import { useT } from '../../i18n/I18nProvider';
import { useDebounced as useDebounce } from '../../lib/useDebounce';
import { useSession } from '../../state/session';
import { ConvAvatar } from './ConversationList';

/** Directory search with results as buttons (single) or checkboxes (multiple). */
function ColleagueSearch({
  onPick,
  picked,
  exclude = [],
  multiple,
}: {
  onPick: (m: Member) => void;
  picked?: Member[];
  exclude?: string[];
  multiple?: boolean;
}) {
  const t = useT();
  const { me } = useSession();
  const [q, setQ] = useState('');
  const dq = useDebounce(q, 200);
  const [items, setItems] = useState<Member[]>([]);
  useEffect(() => {
    const ctl = new AbortController();
    const query = dq.trim();
    const load = query
      ? directoryApi.search(query, 30, ctl.signal).then((r) => r.items)
      : membersApi.list({ limit: 50, status: 'active' }).then((r) => r.items);
    load.then(
      (list) => !ctl.signal.aborted && setItems(list.filter((m) => m.id !== me?.member.id && !exclude.includes(m.id))),
      () => undefined,
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dq, me?.member.id, exclude.join(',')]);
  const pickedIds = new Set((picked ?? []).map((m) => m.id));
  return (
    <div className="hd-picker">
      <Input
        autoFocus
        allowClear
        prefix={<SearchOutlined />}
        placeholder={t('chat.searchColleague')}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        data-testid="picker-search"
        aria-label={t('chat.searchColleague')}
      />
      <ul className="hd-picker-list" data-testid="picker-results">
        {items.length === 0 && <li className="hd-muted hd-picker-empty">{t('chat.noMatch')}</li>}
        {items.map((m) => (
          <li key={m.id}>
            {multiple ? (
              <label className="hd-person" data-testid="picker-person" data-name={m.name}>
                <Checkbox checked={pickedIds.has(m.id)} onChange={() => onPick(m)} />
                <Avatar name={m.name} id={m.id} url={m.avatar_url} size={32} />
                <span className="hd-person-text">
                  <span className="hd-person-name">{m.name}</span>
                  <span className="hd-person-sub">{m.position || m.employee_id}</span>
                </span>
              </label>
            ) : (
              <button type="button" className="hd-person" onClick={() => onPick(m)} data-testid="picker-person" data-name={m.name}>
                <Avatar name={m.name} id={m.id} url={m.avatar_url} size={32} />
                <span className="hd-person-text">
                  <span className="hd-person-name">{m.name}</span>
                  <span className="hd-person-sub">{m.position || m.employee_id}</span>
                </span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function NewChatDialog({ open, onClose, onOpened }: { open: boolean; onClose: () => void; onOpened: (id: string) => void }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const { store } = useChat();
  const pick = async (m: Member) => {
    try {
      const conv = await chatApi.createDirect(m.id);
      store.upsertConversation(conv);
      onClose();
      onOpened(conv.id);
    } catch (e) {
      message.error(describeError(t, e));
    }
  };
  return (
    <Modal open={open} title={t('chat.newChatTitle')} onCancel={onClose} footer={null} destroyOnHidden width={420}>
      <div data-testid="new-chat-dialog">
        <ColleagueSearch onPick={(m) => void pick(m)} />
      </div>
    </Modal>
  );
}

/** New group (name + members), or adding members to an existing group (`addTo`). */
export function GroupMembersDialog({
  open,
  onClose,
  onDone,
  addTo,
  exclude,
}: {
  open: boolean;
  onClose: () => void;
  onDone: (convId: string) => void;
  addTo?: string;
  exclude?: string[];
}) {
  const t = useT();
  const { message } = AntApp.useApp();
  const { store, refreshConversation } = useChat();
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<Member[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) {
      setName('');
      setPicked([]);
    }
  }, [open]);
  const toggle = (m: Member) =>
    setPicked((p) => (p.some((x) => x.id === m.id) ? p.filter((x) => x.id !== m.id) : [...p, m]));
  const ok = async () => {
    if (picked.length === 0) {
      message.warning(t('chat.pickMembers'));
      return;
    }
    setBusy(true);
    try {
      if (addTo) {
        await chatApi.addMembers(addTo, picked.map((m) => m.id));
        await refreshConversation(addTo);
        onDone(addTo);
      } else {
        const conv = await chatApi.createGroup(name.trim() || null, picked.map((m) => m.id));
        store.upsertConversation(conv);
        onDone(conv.id);
      }
      onClose();
    } catch (e) {
      message.error(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={addTo ? t('chat.addMembers') : t('chat.newGroup')}
      onCancel={onClose}
      onOk={() => void ok()}
      okText={addTo ? t('common.confirm') : t('common.create')}
      okButtonProps={{ loading: busy, 'data-testid': 'group-dialog-ok' }}
      destroyOnHidden
      width={460}
    >
      <div data-testid="group-dialog">
        {!addTo && (
          <Input
            className="hd-gap-bottom"
            placeholder={t('chat.groupNameHint')}
            aria-label={t('chat.groupName')}
            value={name}
            maxLength={64}
            onChange={(e) => setName(e.target.value)}
            data-testid="group-name"
          />
        )}
        {picked.length > 0 && (
          <div className="hd-picked">
            {picked.map((m) => (
              <Tag key={m.id} closable onClose={() => toggle(m)}>
                {m.name}
              </Tag>
            ))}
          </div>
        )}
        <ColleagueSearch multiple picked={picked} onPick={toggle} exclude={exclude} />
      </div>
    </Modal>
  );
}

export function ForwardDialog({ messageId, onClose }: { messageId: string | null; onClose: () => void }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const { store } = useChat();
  const [ids, setIds] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => setIds([]), [messageId]);
  const convs = store.conversations().filter((c) => c.kind !== 'channel');
  const ok = async () => {
    if (!messageId || ids.length === 0) return;
    setBusy(true);
    try {
      await chatApi.forward(messageId, ids, newClientMsgId());
      message.success(t('chat.forwardDone'));
      onClose();
    } catch (e) {
      message.error(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={messageId !== null}
      title={t('chat.forwardTitle')}
      onCancel={onClose}
      onOk={() => void ok()}
      okButtonProps={{ disabled: ids.length === 0, loading: busy, 'data-testid': 'forward-ok' }}
      okText={t('chat.forward')}
      destroyOnHidden
      width={420}
    >
      <ul className="hd-picker-list" data-testid="forward-list">
        {convs.map((c) => (
          <li key={c.id}>
            <label className="hd-person">
              <Checkbox
                checked={ids.includes(c.id)}
                onChange={(e) => setIds((p) => (e.target.checked ? [...p, c.id] : p.filter((x) => x !== c.id)))}
              />
              <ConvAvatar conv={c} size={32} />
              <span className="hd-person-name">{c.name}</span>
            </label>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
