// The open conversation: header, group announcement, message history (newest page
// first, older pages when scrolled to the top; only the rows near the viewport are
// rendered), and the composer.
import { Button, Input, Spin, type InputRef } from 'antd';
import { CloseOutlined, EllipsisOutlined, LeftOutlined, NotificationOutlined, SearchOutlined } from '@ant-design/icons';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { chatApi } from '../../api/endpoints';
import type { ChatMessage } from '../../api/types';
import { useChat } from '../../chat/ChatProvider';
import { announcementOf, canSpeak, needsDateSeparator, separatorLabel } from '../../chat/logic';
import { atBottom, distanceFromBottom, restoredScrollTop, spacers } from '../../chat/windowing';
import { ErrorAlert } from '../../components/ErrorAlert';
import { describeError } from '../../i18n/errors';
import { useI18n } from '../../i18n/I18nProvider';
import { useSession } from '../../state/session';
import { Composer } from './Composer';
import { ForwardDialog } from './dialogs';
import { GroupSettings } from './GroupSettings';
import { MessageRow } from './MessageItem';
import { SearchResults } from './SearchResults';

export const BACKGROUNDS = ['default', 'paper', 'mint', 'night'] as const;

export function ChatView({
  convId,
  onBack,
  onOpen,
  focusSeq = null,
  onJump,
}: {
  convId: string;
  onBack: () => void;
  onOpen: (id: string) => void;
  /** Show this message (from a search result): load back to it, scroll to it, highlight it. */
  focusSeq?: number | null;
  onJump?: (seq: number) => void;
}) {
  const { t, locale } = useI18n();
  const { me } = useSession();
  const { store, loadNewest, loadOlder, markRead, version, typing, memberName } = useChat();
  const conv = store.conversation(convId);
  const held = store.messages(convId);
  const [error, setError] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [replyTo, setReplyTo] = useState<ChatMessage | null>(null);
  const [forward, setForward] = useState<string | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [searchOpen, setSearchOpen] = useState(false);
  const [searchQ, setSearchQ] = useState('');
  const [highlight, setHighlight] = useState<number | null>(null);
  const [jumpNonce, setJumpNonce] = useState(0);
  const searchInput = useRef<InputRef>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const [jumpTo, setJumpTo] = useState<number | null>(null);
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

  // Only the rows near the viewport are rendered; rows are measured as they show.
  const virtualizer = useVirtualizer({
    count: held.loaded ? held.items.length : 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => 72,
    overscan: 10,
    getItemKey: (i) => held.items[i]?.seq ?? i,
    scrollMargin: list.current?.offsetTop ?? 0,
  });

  // Keep the view at the bottom for new messages; keep position when older ones load.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (restore.current !== null) {
      el.scrollTop = restoredScrollTop(el.scrollHeight, restore.current);
      restore.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [held.items, held.pending]);

  // Rows measured after rendering (pictures loading, estimates replaced) change the
  // height: stay at the bottom if the view was there.
  useEffect(() => {
    const el = list.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      const s = scroller.current;
      if (s && stick.current && restore.current === null) s.scrollTop = s.scrollHeight;
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [held.loaded]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    stick.current = atBottom(el);
    if (el.scrollTop < 60 && held.hasMoreBefore && held.loaded && !loadingOlder && held.items.length) {
      setLoadingOlder(true);
      restore.current = distanceFromBottom(el);
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

  // Ctrl+F searches this chat.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.code === 'KeyF') {
        e.preventDefault();
        setSearchOpen(true);
        requestAnimationFrame(() => searchInput.current?.focus({ cursor: 'all' }));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Jump to a message: load older pages until it is held, then scroll to it and highlight it.
  useEffect(() => {
    if (focusSeq === null || !Number.isFinite(focusSeq) || !held.loaded) return;
    let cancelled = false;
    const go = async () => {
      for (let i = 0; i < 200; i++) {
        const m = store.messages(convId);
        if (cancelled || !m.hasMoreBefore || m.items.length === 0 || m.items[0].seq <= focusSeq) break;
        await loadOlder(convId);
      }
      if (cancelled) return;
      stick.current = false;
      restore.current = null;
      setJumpTo(focusSeq);
    };
    go().catch((e) => setError(describeError(t, e)));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focusSeq, held.loaded, convId, jumpNonce]);
  // Bring the row into the rendered window, then center it and highlight it.
  useEffect(() => {
    if (jumpTo === null) return;
    const idx = held.items.findIndex((m) => m.seq === jumpTo);
    if (idx < 0) return;
    stick.current = false;
    virtualizer.scrollToIndex(idx, { align: 'center' });
    let frames = 0;
    let raf = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const find = () => scroller.current?.querySelector(`[data-testid="message"][data-seq="${jumpTo}"]`);
    const settle = () => {
      const el = find();
      if (el) {
        el.scrollIntoView({ block: 'center' });
        stick.current = false;
        setHighlight(jumpTo);
        // Rows around it may still be measured: center it once more when they are.
        timer = setTimeout(() => {
          find()?.scrollIntoView({ block: 'center' });
          stick.current = false;
          setJumpTo(null);
        }, 150);
        return;
      }
      if (++frames < 60) raf = requestAnimationFrame(settle);
      else setJumpTo(null);
    };
    raf = requestAnimationFrame(settle);
    return () => {
      cancelAnimationFrame(raf);
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [jumpTo, held.items]);
  useEffect(() => {
    if (highlight === null) return;
    const timer = setTimeout(() => setHighlight(null), 3000);
    return () => clearTimeout(timer);
  }, [highlight]);

  if (!conv) return null;
  const typers = typing(convId);
  const announcement = conv.kind === 'group' ? announcementOf(conv, held.items) : null;
  const byId = new Map(held.items.map((m) => [m.id, m]));
  const now = Date.now();
  const actions = { reply: setReplyTo, forward: (m: ChatMessage) => setForward(m.id) };
  const rows = virtualizer.getVirtualItems();
  const pad = spacers(rows, virtualizer.getTotalSize(), virtualizer.options.scrollMargin);

  return (
    <section className={`hd-chat hd-chat-bg-${BACKGROUNDS.includes(bg as never) ? bg : 'default'}`} data-testid="chat-view" aria-label={conv.name}>
      <header className="hd-chat-header">
        <Button type="text" className="hd-mobile-only hd-chat-back" icon={<LeftOutlined />} onClick={onBack} aria-label={t('chat.backToList')} />
        <h2 className="hd-chat-title" data-testid="chat-title">
          {conv.name}
          {conv.kind === 'group' && <span className="hd-muted hd-chat-count"> ({conv.member_ids.length})</span>}
        </h2>
        <Button
          type="text"
          icon={<SearchOutlined />}
          onClick={() => {
            setSearchOpen((o) => !o);
            requestAnimationFrame(() => searchInput.current?.focus());
          }}
          aria-label={t('chat.searchInChat')}
          title={t('chat.searchInChat')}
          data-testid="chat-search-open"
        />
        {conv.kind === 'group' && (
          <Button type="text" icon={<EllipsisOutlined />} onClick={() => setSettingsOpen(true)} aria-label={t('chat.groupSettings')} data-testid="group-settings-open" />
        )}
      </header>
      {announcement && (
        <button type="button" className="hd-announcement" onClick={() => setSettingsOpen(true)} data-testid="announcement">
          <NotificationOutlined /> <span>{announcement}</span>
        </button>
      )}
      {searchOpen && (
        <div className="hd-chat-search" data-testid="chat-search">
          <div className="hd-chat-search-bar">
            <Input
              ref={searchInput}
              allowClear
              autoFocus
              prefix={<SearchOutlined />}
              placeholder={t('chat.searchPlaceholder')}
              aria-label={t('chat.searchPlaceholder')}
              value={searchQ}
              onChange={(e) => setSearchQ(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.stopPropagation();
                  setSearchOpen(false);
                }
              }}
              data-testid="chat-search-input"
            />
            <Button type="text" icon={<CloseOutlined />} onClick={() => setSearchOpen(false)} aria-label={t('common.cancel')} />
          </div>
          <SearchResults query={searchQ} convId={convId} onPick={(h) => {
              setJumpNonce((n) => n + 1);
              onJump?.(h.seq);
            }} />
        </div>
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
            <div ref={list} className="hd-vlist" data-testid="message-list" data-total={held.items.length}>
              <div style={{ height: pad.top }} aria-hidden />
              {rows.map((row) => {
                const i = row.index;
                const m = held.items[i];
                if (!m) return null;
                return (
                  <div key={row.key} data-index={i} ref={virtualizer.measureElement} className="hd-vrow">
                    {needsDateSeparator(held.items, i) && (
                      <div className="hd-date-sep">{separatorLabel(m.created_at, now, locale, t('chat.today'), t('chat.yesterday'))}</div>
                    )}
                    <MessageRow conv={conv} msg={m} actions={actions} quoted={m.reply_to ? byId.get(m.reply_to) : undefined} highlight={highlight === m.seq} />
                  </div>
                );
              })}
              <div style={{ height: pad.bottom }} aria-hidden />
            </div>
            {held.pending.map((p) => (
              <MessageRow key={p.client_msg_id} conv={conv} msg={null} pending={p} actions={actions} quoted={p.reply_to ? byId.get(p.reply_to) : undefined} />
            ))}
          </>
        )}
      </div>
      <div className="hd-typing hd-muted" data-testid="typing" aria-live="polite">
        {typers.length > 0 &&
          (conv.kind === 'direct' || !memberName(typers[0]) ? t('chat.typingSomeone') : t('chat.typing', { name: typers.map(memberName).filter(Boolean).join('、') }))}
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
