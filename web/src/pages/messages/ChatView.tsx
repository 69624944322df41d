// The open conversation: header, group announcement, message history (newest page
// first, older pages when scrolled to the top), and the composer.
import { Button, Spin } from 'antd';
import { EllipsisOutlined, LeftOutlined, NotificationOutlined } from '@ant-design/icons';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { chatApi } from '../../api/endpoints';
import type { ChatMessage } from '../../api/types';
import { useChat } from '../../chat/ChatProvider';
import { announcementOf, canSpeak, needsDateSeparator, separatorLabel } from '../../chat/logic';
import { ErrorAlert } from '../../components/ErrorAlert';
import { describeError } from '../../i18n/errors';
import { useI18n } from '../../i18n/I18nProvider';
import { useSession } from '../../state/session';
import { Composer } from './Composer';
import { ForwardDialog } from './dialogs';
import { GroupSettings } from './GroupSettings';
import { MessageRow } from './MessageItem';

export const BACKGROUNDS = ['default', 'paper', 'mint', 'night'] as const;

export function ChatView({ convId, onBack, onOpen }: { convId: string; onBack: () => void; onOpen: (id: string) => void }) {
  const { t, locale } = useI18n();
  const { me } = useSession();
  const { store, loadNewest, loadOlder, markRead, version } = useChat();
  const conv = store.conversation(convId);
  const held = store.messages(convId);
  const [error, setError] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [replyTo, setReplyTo] = useState<ChatMessage | null>(null);
  const [forward, setForward] = useState<string | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const restore = useRef<number | null>(null);
  const myId = me?.member.id ?? '';
  const bg = String((me?.settings as { chat_background?: string } | undefined)?.chat_background ?? 'default');

  // Load the newest page and the read pointers of others.
  useEffect(() => {
    setError(null);
    setReplyTo(null);
    setSettingsOpen(false);
    stick.current = true;
    store.activeId = convId;
    loadNewest(convId).catch((e) => setError(describeError(t, e)));
    return () => {
      if (store.activeId === convId) store.activeId = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [convId]);

  // Receipts of my newest own message seed the read pointers.
  const myNewest = [...held.items].reverse().find((m) => m.sender_id === myId && !m.recalled && m.content.kind !== 'recall');
  const myNewestId = myNewest?.id;
  useEffect(() => {
    if (!myNewest) return;
    const seq = myNewest.seq;
    chatApi.receipts(myNewest.id).then(
      (r) => r.read_by.forEach((id) => store.setReadPointer(convId, id, seq)),
      () => undefined,
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [myNewestId, convId]);

  // Read what is on screen.
  useEffect(() => {
    if (!conv || !held.loaded) return;
    const visible = () => document.visibilityState === 'visible';
    // While the tab is hidden, new messages here count as unread (title, notifications).
    store.activeId = visible() ? convId : null;
    if (visible() && (conv.unread > 0 || conv.read_seq < conv.last_seq)) markRead(convId);
    const onVis = () => {
      store.activeId = visible() ? convId : null;
      if (visible()) markRead(convId);
    };
    document.addEventListener('visibilitychange', onVis);
    return () => document.removeEventListener('visibilitychange', onVis);
  }, [conv, held.loaded, convId, markRead, version, store]);

  // Keep the view at the bottom for new messages; keep position when older ones load.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (restore.current !== null) {
      el.scrollTop = el.scrollHeight - restore.current;
      restore.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [held.items, held.pending]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    if (el.scrollTop < 60 && held.hasMoreBefore && held.loaded && !loadingOlder && held.items.length) {
      setLoadingOlder(true);
      restore.current = el.scrollHeight - el.scrollTop;
      loadOlder(convId)
        .catch((e) => {
          restore.current = null;
          setError(describeError(t, e));
        })
        .finally(() => setLoadingOlder(false));
    }
  }, [held, loadingOlder, loadOlder, convId, t]);

  // A first page that does not fill the view cannot be scrolled: load older pages now.
  useEffect(() => {
    const el = scroller.current;
    if (el && !error && held.loaded && held.hasMoreBefore && !loadingOlder && el.scrollHeight <= el.clientHeight + 60) onScroll();
  }, [held.loaded, held.hasMoreBefore, held.items.length, loadingOlder, onScroll, error]);

  if (!conv) return null;
  const announcement = conv.kind === 'group' ? announcementOf(conv, held.items) : null;
  const byId = new Map(held.items.map((m) => [m.id, m]));
  const now = Date.now();
  const actions = { reply: setReplyTo, forward: (m: ChatMessage) => setForward(m.id) };

  return (
    <section className={`hd-chat hd-chat-bg-${BACKGROUNDS.includes(bg as never) ? bg : 'default'}`} data-testid="chat-view" aria-label={conv.name}>
      <header className="hd-chat-header">
        <Button type="text" className="hd-mobile-only hd-chat-back" icon={<LeftOutlined />} onClick={onBack} aria-label={t('chat.backToList')} />
        <h2 className="hd-chat-title" data-testid="chat-title">
          {conv.name}
          {conv.kind === 'group' && <span className="hd-muted hd-chat-count"> ({conv.member_ids.length})</span>}
        </h2>
        {conv.kind === 'group' && (
          <Button type="text" icon={<EllipsisOutlined />} onClick={() => setSettingsOpen(true)} aria-label={t('chat.groupSettings')} data-testid="group-settings-open" />
        )}
      </header>
      {announcement && (
        <button type="button" className="hd-announcement" onClick={() => setSettingsOpen(true)} data-testid="announcement">
          <NotificationOutlined /> <span>{announcement}</span>
        </button>
      )}
      <ErrorAlert error={error} />
      <div className="hd-chat-scroll" ref={scroller} onScroll={onScroll} data-testid="chat-scroll" role="log" aria-live="polite">
        {!held.loaded ? (
          <div className="hd-center">
            <Spin />
          </div>
        ) : (
          <>
            <div className="hd-history-edge hd-muted">
              {loadingOlder ? t('chat.loadingOlder') : held.hasMoreBefore ? '' : t('chat.noOlder')}
            </div>
            {held.items.map((m, i) => (
              <div key={m.seq}>
                {needsDateSeparator(held.items, i) && (
                  <div className="hd-date-sep">{separatorLabel(m.created_at, now, locale, t('chat.today'), t('chat.yesterday'))}</div>
                )}
                <MessageRow conv={conv} msg={m} actions={actions} quoted={m.reply_to ? byId.get(m.reply_to) : undefined} />
              </div>
            ))}
            {held.pending.map((p) => (
              <MessageRow key={p.client_msg_id} conv={conv} msg={null} pending={p} actions={actions} quoted={p.reply_to ? byId.get(p.reply_to) : undefined} />
            ))}
          </>
        )}
      </div>
      {!canSpeak(conv, myId) ? (
        <div className="hd-composer hd-muted hd-readonly" data-testid="composer-locked">
          {conv.kind === 'channel' ? t('chat.readOnly') : t('chat.speakOnlyOwner')}
        </div>
      ) : (
        <Composer conv={conv} replyTo={replyTo} onCancelReply={() => setReplyTo(null)} />
      )}
      <ForwardDialog messageId={forward} onClose={() => setForward(null)} />
      {conv.kind === 'group' && (
        <GroupSettings conv={conv} open={settingsOpen} onClose={() => setSettingsOpen(false)} announcement={announcement} onLeft={onBack} onOpen={onOpen} />
      )}
    </section>
  );
}
