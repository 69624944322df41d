// Connects the chat store to the server: loads the conversation list, applies live
// frames, catches up after reconnects (POST /api/v1/sync), shows the unread total in
// the tab title and raises browser notifications while the tab is hidden.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { isApiError } from '../api/client';
import { chatApi, membersApi } from '../api/endpoints';
import type { ChatMessage, Content, Member } from '../api/types';
import { describeError } from '../i18n/errors';
import { useT } from '../i18n/I18nProvider';
import { useLive } from '../state/live';
import { useSession } from '../state/session';
import { ChatStore, newClientMsgId, previewText } from './store';
import { TYPING_SEND_EVERY_MS, TYPING_SHOW_MS, typingIn, updateTyping, type TypingMap } from './logic';
import { usePreviewLabels } from '../pages/messages/labels';

export interface ChatValue {
  store: ChatStore;
  version: number;
  /** Member by id (loaded on demand; undefined until known). */
  member: (id: string) => Member | undefined;
  memberName: (id: string) => string;
  loadNewest: (convId: string) => Promise<void>;
  loadOlder: (convId: string) => Promise<void>;
  send: (convId: string, content: Content, replyTo?: string | null) => Promise<void>;
  retry: (convId: string, clientMsgId: string) => Promise<void>;
  markRead: (convId: string) => void;
  refreshConversation: (convId: string) => Promise<void>;
  reloadList: () => Promise<void>;
  /** Members currently typing in a conversation (from `typing` events, shown 4 s). */
  typing: (convId: string) => string[];
  /** Tells the others we are typing (at most once every 2 s per conversation). */
  sendTyping: (convId: string) => void;
  /** Names of conversations whose list failed to load. */
  listError: string | null;
  listLoaded: boolean;
}

const ChatContext = createContext<ChatValue | null>(null);

export function ChatProvider({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const myId = me?.member.id ?? '';
  const t = useT();
  const live = useLive();
  const store = useMemo(() => new ChatStore(myId), [myId]);
  const version = useSyncExternalStore(store.subscribe, store.getVersion);
  const [members, setMembers] = useState<Map<string, Member>>(new Map());
  const requested = useRef(new Set<string>());
  const [listError, setListError] = useState<string | null>(null);
  const [listLoaded, setListLoaded] = useState(false);
  const tRef = useRef(t);
  tRef.current = t;
  const labels = usePreviewLabels();
  const [typingMap, setTypingMap] = useState<TypingMap>({});
  const typingSent = useRef(new Map<string, number>());

  // Names and avatars: the first unknown id loads the visible directory in one go;
  // ids still unknown afterwards (e.g. people who left) are fetched one by one.
  const bulk = useRef<Promise<void> | null>(null);
  const member = useCallback(
    (id: string) => {
      const m = members.get(id);
      if (!m && id && id !== '0' && !requested.current.has(id)) {
        requested.current.add(id);
        if (!bulk.current) {
          bulk.current = membersApi.listAll().then(
            (all) =>
              setMembers((prev) => {
                const next = new Map(prev);
                for (const x of all) next.set(x.id, x);
                return next;
              }),
            () => undefined,
          );
        }
        void bulk.current.then(() =>
          setMembers((prev) => {
            if (!prev.has(id)) {
              membersApi.get(id).then(
                (got) => setMembers((p) => new Map(p).set(id, got)),
                () => undefined,
              );
            }
            return prev;
          }),
        );
      }
      return m;
    },
    [members],
  );
  const memberName = useCallback((id: string) => (id === myId ? (me?.member.name ?? '') : (member(id)?.name ?? '')), [member, myId, me]);

  const reloadList = useCallback(async () => {
    try {
      const list = await chatApi.list();
      store.setConversations(list.items);
      setListError(null);
    } catch (e) {
      setListError(describeError(tRef.current, e));
    } finally {
      setListLoaded(true);
    }
  }, [store]);

  const refreshConversation = useCallback(
    async (convId: string) => {
      try {
        store.upsertConversation(await chatApi.get(convId));
      } catch (e) {
        if ((e as { status?: number }).status === 404) store.removeConversation(convId);
      }
    },
    [store],
  );

  const catchUp = useCallback(
    async (convId: string, afterSeq: number) => {
      let after = afterSeq;
      for (let i = 0; i < 20; i++) {
        const page = await chatApi.messages(convId, { after_seq: after });
        store.mergePage(convId, page.items, page.has_more, 'after');
        if (!page.has_more || page.items.length === 0) break;
        after = page.items[page.items.length - 1].seq;
      }
    },
    [store],
  );

  const markRead = useCallback(
    (convId: string) => {
      const seq = store.markReadLocal(convId);
      if (seq !== null) chatApi.read(convId, seq).catch(() => undefined);
    },
    [store],
  );

  const notify = useCallback(
    (msg: ChatMessage) => {
      if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
      if (document.visibilityState !== 'hidden') return;
      const conv = store.conversation(msg.conversation_id);
      const sender = memberName(msg.sender_id);
      const title = conv?.kind === 'group' ? `${conv.name}` : sender || conv?.name || 'Huddle';
      const body = (conv?.kind === 'group' && sender ? `${sender}: ` : '') + previewText(msg.content, labels);
      try {
        const n = new Notification(title, { body, tag: msg.conversation_id });
        n.onclick = () => {
          window.focus();
          n.close();
        };
      } catch {
        /* some browsers only allow notifications from a service worker */
      }
    },
    [store, memberName, labels],
  );
  const notifyRef = useRef(notify);
  notifyRef.current = notify;

  // Initial list.
  useEffect(() => {
    if (myId) void reloadList();
  }, [myId, reloadList]);

  // Live frames.
  useEffect(
    () =>
      live.subscribe((e) => {
        if (e.type === 'resync') {
          void resume();
          return;
        }
        if (e.type === 'typing') {
          const p = (e.payload ?? {}) as { conversation_id?: string; member_id?: string };
          if (p.conversation_id && p.member_id && p.member_id !== myId) {
            const now = Date.now();
            setTypingMap((m) => updateTyping(m, p.conversation_id!, p.member_id!, now + TYPING_SHOW_MS, now));
            setTimeout(() => setTypingMap((m) => updateTyping(m, '', '', 0, Date.now())), TYPING_SHOW_MS + 50);
          }
          return;
        }
        if (e.type === 'message.created') {
          const msg = e.payload as ChatMessage | undefined;
          if (msg?.conversation_id && msg.sender_id) {
            setTypingMap((m) => (m[msg.conversation_id]?.[msg.sender_id] ? updateTyping(m, msg.conversation_id, msg.sender_id, 0, Date.now()) : m));
          }
        }
        const fx = store.apply(e);
        fx.fetchConversations.forEach((id) => void refreshConversation(id));
        fx.catchUp.forEach((c) => void catchUp(c.conversation_id, c.after_seq).catch(() => undefined));
        if (fx.notify) {
          if (store.activeId === fx.notify.conversation_id && document.visibilityState === 'visible') markRead(fx.notify.conversation_id);
          notifyRef.current(fx.notify);
        }
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [live.subscribe, store],
  );

  const resume = useCallback(async () => {
    try {
      const res = await chatApi.sync(store.haveMap());
      const fx = store.applySync(res);
      fx.catchUp.forEach((c) => void catchUp(c.conversation_id, c.after_seq).catch(() => undefined));
    } catch {
      await reloadList();
    }
  }, [store, catchUp, reloadList]);

  // Catch up after the socket comes back.
  const wasOpen = useRef(false);
  useEffect(() => {
    if (live.status === 'open') {
      if (wasOpen.current) void resume();
      wasOpen.current = true;
    }
  }, [live.status, resume]);

  // Tab title: "(3) Huddle".
  const total = store.totalUnread();
  useEffect(() => {
    document.title = total > 0 ? `(${total}) Huddle` : 'Huddle';
  }, [total]);

  const loadNewest = useCallback(
    async (convId: string) => {
      const page = await chatApi.messages(convId);
      store.mergePage(convId, page.items, page.has_more, 'newest');
    },
    [store],
  );

  const loadOlder = useCallback(
    async (convId: string) => {
      const held = store.messages(convId);
      if (!held.hasMoreBefore || held.items.length === 0) return;
      const page = await chatApi.messages(convId, { before_seq: held.items[0].seq });
      store.mergePage(convId, page.items, page.has_more, 'before');
    },
    [store],
  );

  const deliver = useCallback(
    async (convId: string, clientMsgId: string, content: Content, replyTo: string | null) => {
      // A rate-limited send waits as told and goes again (same client_msg_id, so never twice).
      for (let attempt = 0; ; attempt++) {
        try {
          const msg = await chatApi.send(convId, { client_msg_id: clientMsgId, content, reply_to: replyTo });
          store.ack(msg);
          return;
        } catch (e) {
          if (isApiError(e) && e.isRateLimited && attempt < 3) {
            await new Promise((r) => setTimeout(r, Math.min(30, Math.max(1, e.retryAfter ?? 1)) * 1000));
            continue;
          }
          store.failPending(convId, clientMsgId, describeError(tRef.current, e));
          return;
        }
      }
    },
    [store],
  );

  const send = useCallback(
    async (convId: string, content: Content, replyTo: string | null = null) => {
      const p = store.addPending({
        client_msg_id: newClientMsgId(),
        conversation_id: convId,
        sender_id: myId,
        content,
        reply_to: replyTo,
        created_at: Date.now(),
      });
      await deliver(convId, p.client_msg_id, content, replyTo);
    },
    [store, myId, deliver],
  );

  const retry = useCallback(
    async (convId: string, clientMsgId: string) => {
      const p = store.retryPending(convId, clientMsgId);
      if (p) await deliver(convId, p.client_msg_id, p.content, p.reply_to);
    },
    [store, deliver],
  );

  const typing = useCallback((convId: string) => typingIn(typingMap, convId, Date.now()), [typingMap]);
  const sendTyping = useCallback(
    (convId: string) => {
      const now = Date.now();
      if (now - (typingSent.current.get(convId) ?? 0) < TYPING_SEND_EVERY_MS) return;
      if (live.send({ type: 'typing', conversation_id: convId })) typingSent.current.set(convId, now);
    },
    [live],
  );

  const value = useMemo<ChatValue>(
    () => ({
      store,
      version,
      member,
      memberName,
      loadNewest,
      loadOlder,
      send,
      retry,
      markRead,
      refreshConversation,
      reloadList,
      typing,
      sendTyping,
      listError,
      listLoaded,
    }),
    [store, version, member, memberName, loadNewest, loadOlder, send, retry, markRead, refreshConversation, reloadList, typing, sendTyping, listError, listLoaded],
  );
  return <ChatContext.Provider value={value}>{children}</ChatContext.Provider>;
}

export function useChat(): ChatValue {
  const v = useContext(ChatContext);
  if (!v) throw new Error('useChat outside ChatProvider');
  return v;
}
