// Chat state without React: conversations, and per conversation the messages held,
// ascending by seq with no duplicates. Live frames, HTTP pages and sync answers all
// merge here; sends show at once as "pending" and turn into the server's message when
// the answer (or the live echo, whichever comes first) arrives with the same client_msg_id.
import type { ChatMessage, Content, Conversation, SyncResponse } from '../api/types';

export type SendStatus = 'sending' | 'failed';

export interface PendingMessage {
  client_msg_id: string;
  conversation_id: string;
  sender_id: string;
  content: Content;
  reply_to: string | null;
  created_at: number;
  status: SendStatus;
  error?: string;
}

export interface ConvMessages {
  /** Ascending by seq, unique. */
  items: ChatMessage[];
  /** true once the newest page has been loaded (or after a sync into a loaded chat). */
  loaded: boolean;
  /** Older messages exist on the server. */
  hasMoreBefore: boolean;
  /** Sends not yet acknowledged, in the order they were made. */
  pending: PendingMessage[];
}

/** Follow-up work the caller should do after applying a frame. */
export interface Effects {
  /** Conversations to refetch (new, or changed settings). */
  fetchConversations: string[];
  /** Loaded conversations with a gap after their highest seq: fetch `after_seq`. */
  catchUp: { conversation_id: string; after_seq: number }[];
  /** A new message to notify about (from someone else, notify: true). */
  notify: ChatMessage | null;
}

export interface LiveFrame {
  type: string;
  notify?: boolean;
  payload?: unknown;
  [key: string]: unknown;
}

const emptyEffects = (): Effects => ({ fetchConversations: [], catchUp: [], notify: null });
const SILENT_KINDS = new Set(['recall', 'system']);

/** Index of the first item whose seq is >= `seq` (binary search). */
export function lowerBound(items: { seq: number }[], seq: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Merges `incoming` into `items` (both ascending by seq) and returns a new array, or
 * the same one when nothing changed. A message already held keeps its recalled state.
 */
export function mergeBySeq(items: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return items;
  const out = items.slice();
  let changed = false;
  for (const m of incoming) {
    const i = lowerBound(out, m.seq);
    if (i < out.length && out[i].seq === m.seq) {
      const old = out[i];
      if (old.recalled && !m.recalled) continue;
      if (JSON.stringify(old) === JSON.stringify(m)) continue;
      out[i] = m;
    } else {
      out.splice(i, 0, m);
    }
    changed = true;
  }
  return changed ? out : items;
}

/** Short text for a conversation list preview or a notification. */
export function previewText(c: Content | undefined | null, labels: PreviewLabels = DEFAULT_LABELS): string {
  if (!c) return '';
  switch (c.kind) {
    case 'text':
      return c.text;
    case 'location':
      return `${labels.location} ${c.title || c.address || ''}`.trim();
    case 'link':
      return `${labels.link} ${c.title || c.url}`;
    case 'chain':
      return `${labels.chain} ${c.title}`;
    case 'forward':
      return `${labels.forward} ${previewText(c.original, labels)}`;
    case 'image':
      return labels.image;
    case 'file':
      return `${labels.file} ${c.name ?? ''}`.trim();
    case 'voice':
      return `${labels.voice} ${c.duration_ms ? `${Math.max(1, Math.round(c.duration_ms / 1000))}″` : ''}`.trim();
    case 'recall':
    case 'recalled':
      return labels.recalled;
    case 'system':
      return c.text;
    case 'card':
      return `${labels.card ?? '[Card]'} ${c.title}${c.status ? ` · ${c.status}` : ''}`;
    default:
      return '';
  }
}

export interface PreviewLabels {
  location: string;
  link: string;
  chain: string;
  forward: string;
  recalled: string;
  image: string;
  file: string;
  voice: string;
  card?: string;
}
const DEFAULT_LABELS: PreviewLabels = {
  location: '[Location]',
  link: '[Link]',
  chain: '[Sign-up]',
  forward: '[Forwarded]',
  recalled: 'A message was recalled',
  image: '[Picture]',
  file: '[File]',
  voice: '[Voice]',
};

export class ChatStore {
  readonly me: string;
  private convs = new Map<string, Conversation>();
  private msgs = new Map<string, ConvMessages>();
  /** Other members' read pointers, from conversation.read frames and receipts. */
  private readPointers = new Map<string, Map<string, number>>();
  private listeners = new Set<() => void>();
  private version = 0;
  private sortedCache: Conversation[] | null = null;
  /** The conversation on screen (its new messages are read at once). */
  activeId: string | null = null;

  constructor(me: string) {
    this.me = me;
  }

  // ---- subscription -------------------------------------------------------
  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  getVersion = (): number => this.version;
  private changed(): void {
    this.version++;
    this.sortedCache = null;
    this.listeners.forEach((fn) => fn());
  }

  // ---- reads ---------------------------------------------------------------
  conversation(id: string): Conversation | undefined {
    return this.convs.get(id);
  }

  /** Pinned first, then by the newest message. */
  conversations(): Conversation[] {
    if (!this.sortedCache) {
      this.sortedCache = [...this.convs.values()].sort(
        (a, b) => Number(b.pinned) - Number(a.pinned) || b.last_message_at - a.last_message_at || Number(b.id) - Number(a.id),
      );
    }
    return this.sortedCache;
  }

  /** Unread over conversations that are not muted. */
  totalUnread(): number {
    let n = 0;
    for (const c of this.convs.values()) if (!c.muted) n += c.unread;
    return n;
  }

  messages(convId: string): ConvMessages {
    return this.msgs.get(convId) ?? { items: [], loaded: false, hasMoreBefore: true, pending: [] };
  }

  message(convId: string, id: string): ChatMessage | undefined {
    return this.msgs.get(convId)?.items.find((m) => m.id === id);
  }

  /** Highest seq held for a conversation: loaded messages, else what the list said. */
  highestSeq(convId: string): number {
    const m = this.msgs.get(convId);
    const c = this.convs.get(convId);
    if (m?.loaded && m.items.length) return m.items[m.items.length - 1].seq;
    if (m?.loaded) return c ? c.last_seq : 0;
    return c ? c.last_seq : 0;
  }

  /** The body of `POST /api/v1/sync`. */
  haveMap(): Record<string, number> {
    const have: Record<string, number> = {};
    for (const id of this.convs.keys()) have[id] = this.highestSeq(id);
    return have;
  }

  /** How many of the other members have read up to `seq`, and how many could. */
  readCount(convId: string, seq: number, sender: string): { read: number; total: number } {
    const c = this.convs.get(convId);
    const ptrs = this.readPointers.get(convId);
    const others = (c?.member_ids ?? []).filter((m) => m !== sender);
    let read = 0;
    for (const m of others) if ((ptrs?.get(m) ?? 0) >= seq) read++;
    return { read, total: others.length };
  }

  setReadPointer(convId: string, member: string, seq: number): void {
    let ptrs = this.readPointers.get(convId);
    if (!ptrs) this.readPointers.set(convId, (ptrs = new Map()));
    if ((ptrs.get(member) ?? 0) >= seq) return;
    ptrs.set(member, seq);
    this.changed();
  }

  // ---- conversations ---------------------------------------------------------
  setConversations(list: Conversation[]): void {
    const keep = new Set(list.map((c) => c.id));
    for (const id of [...this.convs.keys()]) if (!keep.has(id)) this.convs.delete(id);
    for (const c of list) this.convs.set(c.id, c);
    this.changed();
  }

  upsertConversation(c: Conversation): void {
    this.convs.set(c.id, c);
    this.changed();
  }

  removeConversation(id: string): void {
    if (!this.convs.delete(id) && !this.msgs.has(id)) return;
    this.msgs.delete(id);
    this.readPointers.delete(id);
    this.changed();
  }

  patchConversation(id: string, patch: Partial<Conversation>): void {
    const c = this.convs.get(id);
    if (!c) return;
    this.convs.set(id, { ...c, ...patch });
    this.changed();
  }

  // ---- messages --------------------------------------------------------------
  private conv(convId: string): ConvMessages {
    let m = this.msgs.get(convId);
    if (!m) this.msgs.set(convId, (m = { items: [], loaded: false, hasMoreBefore: true, pending: [] }));
    return m;
  }

  /**
   * Merges an HTTP page. `kind` says which request it answered: the newest page
   * (marks the chat loaded), `before` (scroll back: sets hasMoreBefore) or `after`.
   */
  mergePage(convId: string, items: ChatMessage[], hasMore: boolean, kind: 'newest' | 'before' | 'after'): void {
    const m = this.conv(convId);
    const next: ConvMessages = { ...m, items: mergeBySeq(m.items, items) };
    if (kind === 'newest') {
      next.loaded = true;
      next.hasMoreBefore = m.loaded ? m.hasMoreBefore && hasMore : hasMore;
    } else if (kind === 'before') {
      next.hasMoreBefore = hasMore;
    }
    next.pending = dropAcked(next.pending, items);
    this.msgs.set(convId, next);
    this.bumpConversation(convId, items);
    this.changed();
  }

  /** Updates last_message / last_seq from messages that are newer than what the list shows. */
  private bumpConversation(convId: string, items: ChatMessage[]): void {
    const c = this.convs.get(convId);
    if (!c || items.length === 0) return;
    const newest = items.reduce((a, b) => (b.seq > a.seq ? b : a));
    if (newest.seq < c.last_seq) return;
    if (newest.seq === c.last_seq && c.last_message && JSON.stringify(c.last_message) === JSON.stringify(newest)) return;
    this.convs.set(convId, {
      ...c,
      last_seq: newest.seq,
      last_message: newest,
      last_message_at: Math.max(c.last_message_at, newest.created_at),
    });
  }

  /** Shows a send at once; returns the pending entry. */
  addPending(p: Omit<PendingMessage, 'status'>): PendingMessage {
    const m = this.conv(p.conversation_id);
    const entry: PendingMessage = { ...p, status: 'sending' };
    const others = m.pending.filter((x) => x.client_msg_id !== p.client_msg_id);
    this.msgs.set(p.conversation_id, { ...m, pending: [...others, entry] });
    this.changed();
    return entry;
  }

  /** A retry: the same client_msg_id goes back to "sending". */
  retryPending(convId: string, clientMsgId: string): PendingMessage | undefined {
    const m = this.msgs.get(convId);
    const p = m?.pending.find((x) => x.client_msg_id === clientMsgId);
    if (!m || !p) return undefined;
    const entry: PendingMessage = { ...p, status: 'sending', error: undefined };
    this.msgs.set(convId, { ...m, pending: m.pending.map((x) => (x === p ? entry : x)) });
    this.changed();
    return entry;
  }

  failPending(convId: string, clientMsgId: string, error?: string): void {
    const m = this.msgs.get(convId);
    if (!m || !m.pending.some((x) => x.client_msg_id === clientMsgId)) return;
    this.msgs.set(convId, {
      ...m,
      pending: m.pending.map((x) => (x.client_msg_id === clientMsgId ? { ...x, status: 'failed', error } : x)),
    });
    this.changed();
  }

  discardPending(convId: string, clientMsgId: string): void {
    const m = this.msgs.get(convId);
    if (!m) return;
    this.msgs.set(convId, { ...m, pending: m.pending.filter((x) => x.client_msg_id !== clientMsgId) });
    this.changed();
  }

  /** The server accepted a send (HTTP answer): the message replaces its pending entry. */
  ack(msg: ChatMessage): void {
    this.addMessages(msg.conversation_id, [msg]);
  }

  /** Adds messages that arrived one by one (live or acks). Returns a catch-up gap, if any. */
  private addMessages(convId: string, items: ChatMessage[]): { after_seq: number } | null {
    const m = this.conv(convId);
    const before = m.items.length ? m.items[m.items.length - 1].seq : null;
    const merged = mergeBySeq(m.items, items);
    const pending = dropAcked(m.pending, items);
    if (merged !== m.items || pending !== m.pending) this.msgs.set(convId, { ...m, items: merged, pending });
    this.bumpConversation(convId, items);
    this.changed();
    if (m.loaded && before !== null) {
      const lowest = Math.min(...items.map((x) => x.seq));
      if (lowest > before + 1) return { after_seq: before };
    }
    return null;
  }

  private markRecalled(convId: string, messageId: string): void {
    const m = this.msgs.get(convId);
    if (m) {
      const i = m.items.findIndex((x) => x.id === messageId);
      if (i >= 0 && !m.items[i].recalled) {
        const items = m.items.slice();
        items[i] = { ...items[i], recalled: true, content: { kind: 'recalled' } };
        this.msgs.set(convId, { ...m, items });
      }
    }
    const c = this.convs.get(convId);
    if (c?.last_message?.id === messageId) {
      this.convs.set(convId, { ...c, last_message: { ...c.last_message, recalled: true, content: { kind: 'recalled' } } });
    }
  }

  // ---- live frames -----------------------------------------------------------
  /** Applies one WebSocket frame. Unknown types are ignored. */
  apply(frame: LiveFrame): Effects {
    const fx = emptyEffects();
    const p = (frame.payload ?? {}) as Record<string, unknown>;
    switch (frame.type) {
      case 'message.created': {
        const msg = frame.payload as ChatMessage;
        if (!msg || typeof msg.seq !== 'number') return fx;
        const cid = msg.conversation_id;
        const c = this.convs.get(cid);
        if (!c) fx.fetchConversations.push(cid);
        const held = this.msgs.get(cid)?.items;
        const already = held ? held[lowerBound(held, msg.seq)]?.seq === msg.seq : false;
        const gap = this.addMessages(cid, [msg]);
        if (gap) fx.catchUp.push({ conversation_id: cid, ...gap });
        if (c && !already && msg.seq > c.read_seq) {
          const fromOther = msg.sender_id !== this.me;
          const conv = this.convs.get(cid)!;
          if (!fromOther) {
            // My own message (perhaps from another device): I have read up to here.
            this.convs.set(cid, { ...conv, read_seq: msg.seq, unread: 0 });
          } else if (!SILENT_KINDS.has(msg.content.kind) && this.activeId !== cid) {
            this.convs.set(cid, { ...conv, unread: conv.unread + 1 });
          }
          this.changed();
          if (fromOther && frame.notify && !SILENT_KINDS.has(msg.content.kind)) fx.notify = msg;
        }
        return fx;
      }
      case 'message.updated': {
        const msg = frame.payload as ChatMessage;
        if (msg && typeof msg.seq === 'number') this.addMessages(msg.conversation_id, [msg]);
        return fx;
      }
      case 'message.recalled': {
        const cid = String(p.conversation_id ?? '');
        this.markRecalled(cid, String(p.message_id ?? ''));
        const notice = p.notice as ChatMessage | undefined;
        if (notice && typeof notice.seq === 'number') {
          const gap = this.addMessages(cid, [notice]);
          if (gap) fx.catchUp.push({ conversation_id: cid, ...gap });
        } else this.changed();
        return fx;
      }
      case 'conversation.read': {
        const cid = String(p.conversation_id ?? '');
        const member = String(p.member_id ?? '');
        const seq = Number(p.read_seq ?? 0);
        if (member === this.me) {
          const c = this.convs.get(cid);
          if (c && seq >= c.read_seq) {
            this.convs.set(cid, { ...c, read_seq: seq, unread: seq >= c.last_seq ? 0 : this.countUnread(cid, seq) });
            this.changed();
          }
        } else {
          this.setReadPointer(cid, member, seq);
        }
        return fx;
      }
      case 'conversation.unread': {
        const cid = String(p.conversation_id ?? '');
        const c = this.convs.get(cid);
        if (c && c.unread === 0) this.patchConversation(cid, { unread: 1 });
        return fx;
      }
      case 'conversation.created':
      case 'conversation.updated': {
        const cid = String(p.conversation_id ?? '');
        if (cid) fx.fetchConversations.push(cid);
        return fx;
      }
      case 'conversation.dissolved': {
        const cid = String(p.conversation_id ?? '');
        this.removeConversation(cid);
        return fx;
      }
      default:
        return fx;
    }
  }

  /** Messages from others after `readSeq` among those held (a lower bound). */
  private countUnread(convId: string, readSeq: number): number {
    const items = this.msgs.get(convId)?.items ?? [];
    return items.filter((m) => m.seq > readSeq && m.sender_id !== this.me && !SILENT_KINDS.has(m.content.kind)).length;
  }

  /** Marks a conversation read locally (the caller also tells the server). */
  markReadLocal(convId: string): number | null {
    const c = this.convs.get(convId);
    if (!c) return null;
    const seq = Math.max(c.last_seq, this.highestSeq(convId));
    if (c.unread === 0 && c.read_seq >= seq) return null;
    this.convs.set(convId, { ...c, read_seq: seq, unread: 0 });
    this.changed();
    return seq;
  }

  // ---- resume ----------------------------------------------------------------
  /** Applies the answer of `POST /api/v1/sync`. Returns conversations that need more catching up. */
  applySync(res: SyncResponse): Effects {
    const fx = emptyEffects();
    for (const id of res.removed) this.removeConversation(id);
    for (const ch of res.changed) {
      const cid = ch.conversation.id;
      this.convs.set(cid, ch.conversation);
      const m = this.msgs.get(cid);
      if (m?.loaded) {
        this.msgs.set(cid, { ...m, items: mergeBySeq(m.items, ch.messages), pending: dropAcked(m.pending, ch.messages) });
        if (ch.has_more) {
          const items = this.msgs.get(cid)!.items;
          fx.catchUp.push({ conversation_id: cid, after_seq: items.length ? items[items.length - 1].seq : 0 });
        }
      }
    }
    this.changed();
    return fx;
  }

  /** Forgets everything held (Clear local cache). */
  clear(): void {
    this.convs.clear();
    this.msgs.clear();
    this.readPointers.clear();
    this.changed();
  }
}

function dropAcked(pending: PendingMessage[], items: ChatMessage[]): PendingMessage[] {
  if (pending.length === 0) return pending;
  const ids = new Set(items.map((m) => `${m.sender_id}\n${m.client_msg_id}`));
  const out = pending.filter((p) => !ids.has(`${p.sender_id}\n${p.client_msg_id}`));
  return out.length === pending.length ? pending : out;
}

/** A fresh idempotency key for a send. */
export function newClientMsgId(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
