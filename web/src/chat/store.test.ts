import { describe, expect, it } from 'vitest';
import type { ChatMessage, Conversation } from '../api/types';
import { ChatStore, mergeBySeq, previewText } from './store';

const ME = '1';
const PEER = '2';

function conv(id: string, patch: Partial<Conversation> = {}): Conversation {
  return {
    id,
    kind: 'direct',
    name: 'peer',
    owner_id: null,
    member_ids: [ME, PEER],
    last_seq: 0,
    read_seq: 0,
    unread: 0,
    muted: false,
    pinned: false,
    last_message: null,
    last_message_at: 0,
    created_at: 0,
    ...patch,
  };
}

function msg(conv: string, seq: number, patch: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `${conv}-${seq}`,
    conversation_id: conv,
    seq,
    sender_id: PEER,
    client_msg_id: `c-${conv}-${seq}`,
    content: { kind: 'text', text: `m${seq}` },
    reply_to: null,
    recalled: false,
    created_at: seq * 1000,
    ...patch,
  };
}

const seqs = (s: ChatStore, c: string) => s.messages(c).items.map((m) => m.seq);

describe('mergeBySeq', () => {
  it('keeps ascending order and drops duplicates', () => {
    const out = mergeBySeq([msg('a', 2), msg('a', 5)], [msg('a', 4), msg('a', 1), msg('a', 5), msg('a', 7), msg('a', 4)]);
    expect(out.map((m) => m.seq)).toEqual([1, 2, 4, 5, 7]);
  });
  it('returns the same array when nothing changes', () => {
    const items = [msg('a', 1)];
    expect(mergeBySeq(items, [msg('a', 1)])).toBe(items);
  });
  it('never un-recalls a message', () => {
    const recalled = { ...msg('a', 1), recalled: true, content: { kind: 'recalled' as const } };
    expect(mergeBySeq([recalled], [msg('a', 1)])[0].recalled).toBe(true);
  });
});

describe('ChatStore', () => {
  it('merges live frames and pages in seq order without duplicates', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('a', { last_seq: 3 })]);
    s.mergePage('a', [msg('a', 2), msg('a', 3)], true, 'newest');
    s.apply({ type: 'message.created', payload: msg('a', 4) });
    s.apply({ type: 'message.created', payload: msg('a', 4) });
    s.mergePage('a', [msg('a', 1)], false, 'before');
    expect(seqs(s, 'a')).toEqual([1, 2, 3, 4]);
    expect(s.messages('a').hasMoreBefore).toBe(false);
    expect(s.conversation('a')!.last_seq).toBe(4);
    // The duplicate frame did not count twice.
    expect(s.conversation('a')!.unread).toBe(1);
  });

  it('reports a gap so the caller can catch up', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('a', { last_seq: 2 })]);
    s.mergePage('a', [msg('a', 1), msg('a', 2)], false, 'newest');
    const fx = s.apply({ type: 'message.created', payload: msg('a', 5) });
    expect(fx.catchUp).toEqual([{ conversation_id: 'a', after_seq: 2 }]);
  });

  it('optimistic send turns into the acknowledged message exactly once', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('a')]);
    s.mergePage('a', [], false, 'newest');
    s.addPending({ client_msg_id: 'x1', conversation_id: 'a', sender_id: ME, content: { kind: 'text', text: 'hi' }, reply_to: null, created_at: 1 });
    expect(s.messages('a').pending.map((p) => p.status)).toEqual(['sending']);
    const sent = msg('a', 1, { sender_id: ME, client_msg_id: 'x1' });
    // The live echo may arrive before the HTTP answer.
    s.apply({ type: 'message.created', payload: sent });
    s.ack(sent);
    expect(s.messages('a').pending).toEqual([]);
    expect(seqs(s, 'a')).toEqual([1]);
    expect(s.conversation('a')!.unread).toBe(0);
  });

  it('a failed send keeps its client_msg_id for the retry', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('a')]);
    s.addPending({ client_msg_id: 'x2', conversation_id: 'a', sender_id: ME, content: { kind: 'text', text: 'hi' }, reply_to: null, created_at: 1 });
    s.failPending('a', 'x2', 'offline');
    expect(s.messages('a').pending[0]).toMatchObject({ status: 'failed', error: 'offline' });
    const again = s.retryPending('a', 'x2');
    expect(again).toMatchObject({ client_msg_id: 'x2', status: 'sending' });
    expect(s.messages('a').pending).toHaveLength(1);
    s.ack(msg('a', 1, { sender_id: ME, client_msg_id: 'x2' }));
    expect(s.messages('a').pending).toHaveLength(0);
    expect(seqs(s, 'a')).toEqual([1]);
  });

  it('someone else using the same client_msg_id does not ack my send', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('a')]);
    s.addPending({ client_msg_id: 'same', conversation_id: 'a', sender_id: ME, content: { kind: 'text', text: 'hi' }, reply_to: null, created_at: 1 });
    s.apply({ type: 'message.created', payload: msg('a', 1, { client_msg_id: 'same' }) });
    expect(s.messages('a').pending).toHaveLength(1);
  });

  it('recall marks the message and adds the notice', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('a', { last_seq: 1 })]);
    s.mergePage('a', [msg('a', 1)], false, 'newest');
    const notice = msg('a', 2, { content: { kind: 'recall', message_id: 'a-1' } });
    s.apply({ type: 'message.recalled', payload: { conversation_id: 'a', message_id: 'a-1', recalled_by: PEER, notice } });
    const items = s.messages('a').items;
    expect(items[0]).toMatchObject({ recalled: true, content: { kind: 'recalled' } });
    expect(items[1].content.kind).toBe('recall');
    // A late page with the old content does not undo the recall.
    s.mergePage('a', [msg('a', 1)], false, 'before');
    expect(s.messages('a').items[0].recalled).toBe(true);
    expect(previewText(s.conversation('a')!.last_message?.content)).toBe('A message was recalled');
  });

  it('counts unread, respects mute in the total, and clears on read', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('a'), conv('b', { muted: true })]);
    s.apply({ type: 'message.created', payload: msg('a', 1), notify: true });
    const fx = s.apply({ type: 'message.created', payload: msg('b', 1), notify: false });
    expect(fx.notify).toBeNull();
    expect(s.totalUnread()).toBe(1);
    s.apply({ type: 'conversation.read', payload: { conversation_id: 'a', member_id: ME, read_seq: 1 } });
    expect(s.totalUnread()).toBe(0);
    s.apply({ type: 'conversation.unread', payload: { conversation_id: 'a' } });
    expect(s.conversation('a')!.unread).toBe(1);
  });

  it('does not count messages of the open conversation as unread', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('a')]);
    s.activeId = 'a';
    s.apply({ type: 'message.created', payload: msg('a', 1) });
    expect(s.conversation('a')!.unread).toBe(0);
  });

  it('tracks read receipts of others', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('g', { kind: 'group', member_ids: [ME, PEER, '3'] })]);
    s.apply({ type: 'conversation.read', payload: { conversation_id: 'g', member_id: PEER, read_seq: 4 } });
    expect(s.readCount('g', 4, ME)).toEqual({ read: 1, total: 2 });
    expect(s.readCount('g', 5, ME)).toEqual({ read: 0, total: 2 });
  });

  it('orders pinned first, then newest', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('a', { last_message_at: 5 }), conv('b', { last_message_at: 9 }), conv('c', { pinned: true, last_message_at: 1 })]);
    expect(s.conversations().map((c) => c.id)).toEqual(['c', 'b', 'a']);
  });

  it('resumes after a reconnect with what it holds', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('a', { last_seq: 2 }), conv('b', { last_seq: 7 })]);
    s.mergePage('a', [msg('a', 1), msg('a', 2)], false, 'newest');
    expect(s.haveMap()).toEqual({ a: 2, b: 7 });
    const fx = s.applySync({
      changed: [
        { conversation: conv('a', { last_seq: 4, unread: 2 }), messages: [msg('a', 3), msg('a', 4)], has_more: true },
        { conversation: conv('n', { last_seq: 1 }), messages: [msg('n', 1)], has_more: false },
      ],
      removed: ['b'],
    });
    expect(seqs(s, 'a')).toEqual([1, 2, 3, 4]);
    expect(fx.catchUp).toEqual([{ conversation_id: 'a', after_seq: 4 }]);
    expect(s.conversation('b')).toBeUndefined();
    expect(s.conversation('n')).toBeDefined();
    // Live frames for messages the sync already brought are dropped.
    s.apply({ type: 'message.created', payload: msg('a', 4) });
    expect(seqs(s, 'a')).toEqual([1, 2, 3, 4]);
    expect(s.conversation('a')!.unread).toBe(2);
  });

  it('chain updates replace the message; dissolve removes the conversation', () => {
    const s = new ChatStore(ME);
    s.setConversations([conv('g', { kind: 'group' })]);
    s.mergePage('g', [msg('g', 1, { content: { kind: 'chain', title: 'Lunch', entries: [] } })], false, 'newest');
    s.apply({ type: 'message.updated', payload: msg('g', 1, { content: { kind: 'chain', title: 'Lunch', entries: [{ member_id: PEER, text: 'me', created_at: 1 }] } }) });
    const c = s.messages('g').items[0].content;
    expect(c.kind === 'chain' && c.entries?.length).toBe(1);
    const fx = s.apply({ type: 'conversation.updated', payload: { conversation_id: 'g' } });
    expect(fx.fetchConversations).toEqual(['g']);
    s.apply({ type: 'conversation.dissolved', payload: { conversation_id: 'g' } });
    expect(s.conversation('g')).toBeUndefined();
  });
});
