// Messages tab: conversation list on the left (full screen on phones) and the open
// chat on the right. `?c=<conversation id>` selects a chat; `?to=<member id>` (the
// contacts card's "Send message") opens or creates the direct chat with that person.
import { App as AntApp, Button, Dropdown } from 'antd';
import { MessageOutlined, PlusOutlined } from '@ant-design/icons';
import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { chatApi } from '../../api/endpoints';
import { useChat } from '../../chat/ChatProvider';
import { EmptyState } from '../../components/States';
import { describeError } from '../../i18n/errors';
import { useT } from '../../i18n/I18nProvider';
import { ChatView } from './ChatView';
import { ConversationList } from './ConversationList';
import { GroupMembersDialog, NewChatDialog } from './dialogs';

export function MessagesPage() {
  const t = useT();
  const { message } = AntApp.useApp();
  const [params, setParams] = useSearchParams();
  const { store, listLoaded } = useChat();
  const to = params.get('to');
  const active = params.get('c');
  const [newChat, setNewChat] = useState(false);
  const [newGroup, setNewGroup] = useState(false);

  const open = useCallback((id: string | null) => setParams(id ? { c: id } : {}, { replace: false }), [setParams]);
  const openAt = useCallback((id: string, seq: number) => setParams({ c: id, m: String(seq) }, { replace: false }), [setParams]);
  const focusSeq = params.get('m') ? Number(params.get('m')) : null;

  // "Send message" from a profile card.
  useEffect(() => {
    if (!to) return;
    let cancelled = false;
    chatApi.createDirect(to).then(
      (conv) => {
        if (cancelled) return;
        store.upsertConversation(conv);
        setParams({ c: conv.id }, { replace: true });
      },
      (e) => {
        if (cancelled) return;
        message.error(describeError(t, e));
        setParams({}, { replace: true });
      },
    );
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [to]);

  // A chat that disappeared (left, dissolved) closes.
  const activeExists = active ? Boolean(store.conversation(active)) : false;
  useEffect(() => {
    if (active && listLoaded && !activeExists && !to) {
      const id = active;
      const timer = setTimeout(() => !store.conversation(id) && setParams({}, { replace: true }), 1500);
      return () => clearTimeout(timer);
    }
  }, [active, activeExists, listLoaded, to, store, setParams]);

  // Ctrl+N / Alt+N: new chat. Esc closes the open chat on phones.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Ctrl+N (browsers that reserve it for a new window leave Alt+N).
      if (((e.ctrlKey || e.metaKey) !== e.altKey) && !e.shiftKey && e.code === 'KeyN') {
        e.preventDefault();
        setNewChat(true);
      }
      // Esc on a phone goes back from the chat to the list (dialogs and pickers handle their own Esc).
      const target = e.target as HTMLElement | null;
      if (
        e.key === 'Escape' &&
        !e.defaultPrevented &&
        window.matchMedia('(max-width: 600px)').matches &&
        !target?.closest?.('.ant-modal, .ant-drawer, .ant-popover, .ant-dropdown')
      ) {
        setParams({});
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setParams]);

  return (
    <div className="hd-page" data-testid="messages-page">
      <div className={`hd-split hd-messages${active ? ' show-right' : ''}`}>
        <aside className="hd-split-left hd-conv-side">
          <div className="hd-conv-head">
            <h1>{t('nav.messages')}</h1>
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  { key: 'chat', label: `${t('chat.newChat')}  (Ctrl+N)` },
                  { key: 'group', label: t('chat.newGroup') },
                ],
                onClick: ({ key }) => (key === 'chat' ? setNewChat(true) : setNewGroup(true)),
              }}
            >
              <Button type="text" icon={<PlusOutlined />} aria-label={t('chat.newChat')} data-testid="chat-new-menu" />
            </Dropdown>
          </div>
          <ConversationList activeId={active} onOpen={open} onOpenAt={openAt} />
        </aside>
        <main className="hd-split-right hd-chat-pane">
          {active && activeExists ? (
            <ChatView key={active} convId={active} onBack={() => open(null)} onOpen={open} focusSeq={focusSeq} onJump={(seq) => openAt(active, seq)} />
          ) : (
            <EmptyState icon={<MessageOutlined className="hd-empty-icon" />} title={t('chat.pick')} description={t('chat.emptyBody')} />
          )}
        </main>
      </div>
      <NewChatDialog open={newChat} onClose={() => setNewChat(false)} onOpened={open} />
      <GroupMembersDialog open={newGroup} onClose={() => setNewGroup(false)} onDone={open} />
    </div>
  );
}
