import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../api/types';
import { announcementOf, canMentionAll, canSpeak, formatOffset, insertMention, localizeNotice, mentionQuery, mentionsInText, needsDateSeparator, parseSnippet, typingIn, updateTyping } from './logic';

const sys = (seq: number, text: string): ChatMessage => ({
  id: String(seq), conversation_id: 'g', seq, sender_id: '1', client_msg_id: `s${seq}`,
  content: { kind: 'system', text }, recalled: false, created_at: seq,
});

describe('chat logic', () => {
  it('finds the @query before the caret', () => {
    expect(mentionQuery('hi @张', 5)).toEqual({ start: 3, query: '张' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('mail a@b', 8)).toBeNull();
    expect(mentionQuery('hi @张 ', 6)).toBeNull();
  });
  it('inserts a mention and keeps only those still in the text', () => {
    const r = insertMention('hi @张', 3, 5, '张三');
    expect(r).toEqual({ text: 'hi @张三 ', caret: 7 });
    const picked = [{ id: '5', name: '张三' }, { id: '6', name: '李四' }, { id: '*', name: '所有人' }];
    expect(mentionsInText('@张三 hi @所有人', picked, '所有人')).toEqual({ mentions: ['5'], mention_all: true });
  });
  it('separates days', () => {
    const d1 = new Date(2026, 0, 1, 10).getTime();
    const d2 = new Date(2026, 0, 1, 23).getTime();
    const d3 = new Date(2026, 0, 2, 1).getTime();
    const items = [{ created_at: d1 }, { created_at: d2 }, { created_at: d3 }];
    expect(items.map((_, i) => needsDateSeparator(items, i))).toEqual([true, false, true]);
  });
  it('reads the announcement from the newest notice', () => {
    expect(announcementOf(undefined, [sys(1, '张三 updated the group announcement: 周五团建'), sys(2, '张三 renamed the group to “x”')])).toBe('周五团建');
    expect(announcementOf(undefined, [sys(1, '张三 updated the group announcement: a'), sys(2, '张三 removed the group announcement')])).toBeNull();
  });
  it('formats UTC offsets', () => {
    expect(formatOffset(480)).toBe('+08:00');
    expect(formatOffset(-330)).toBe('-05:30');
  });
});

describe('localizeNotice', () => {
  const t = ((key: string, vars?: Record<string, string>) => `${key}|${vars?.a}|${vars?.b}`) as never;
  it('maps server notices to catalog keys', () => {
    expect(localizeNotice('张三 removed the group announcement', t)).toBe('chat.sys.announcementRemoved|张三|');
    expect(localizeNotice('张三 removed 李四', t)).toBe('chat.sys.removed|张三|李四');
    expect(localizeNotice('张三 made 李四 the group owner', t)).toBe('chat.sys.owner|张三|李四');
    expect(localizeNotice('李四 left the group', t)).toBe('chat.sys.left|李四|');
    expect(localizeNotice('something new', t)).toBe('something new');
  });
});

describe('group permissions', () => {
  const base = {
    id: 'g', kind: 'group' as const, name: 'g', owner_id: '1', member_ids: ['1', '2', '3'], last_seq: 0, read_seq: 0,
    unread: 0, muted: false, pinned: false, last_message_at: 0, created_at: 0, admin_ids: ['2'], mention_all: 'admins', only_admins_speak: true,
  };
  it('@all for owner and admins, or everyone when the group allows it', () => {
    expect(canMentionAll(base, '1')).toBe(true);
    expect(canMentionAll(base, '2')).toBe(true);
    expect(canMentionAll(base, '3')).toBe(false);
    expect(canMentionAll({ ...base, mention_all: 'everyone' }, '3')).toBe(true);
    expect(canMentionAll({ ...base, kind: 'direct' }, '1')).toBe(false);
  });
  it('only admins speak when the group says so; channels are read-only', () => {
    expect(canSpeak(base, '3')).toBe(false);
    expect(canSpeak(base, '2')).toBe(true);
    expect(canSpeak({ ...base, only_admins_speak: false }, '3')).toBe(true);
    expect(canSpeak({ ...base, kind: 'channel' }, '1')).toBe(false);
  });
  it('prefers the announcement the server sends', () => {
    expect(announcementOf({ ...base, announcement: '公告' }, [])).toBe('公告');
    expect(announcementOf({ ...base, announcement: null }, [sys(1, 'a updated the group announcement: old')])).toBeNull();
  });
});

describe('parseSnippet', () => {
  it('keeps <b> as bold and decodes entities', () => {
    expect(parseSnippet('明天下午三点开会讨论<b>用户需求</b> &amp; more')).toEqual([
      { text: '明天下午三点开会讨论', bold: false },
      { text: '用户需求', bold: true },
      { text: ' & more', bold: false },
    ]);
  });
  it('leaves any other markup as literal text', () => {
    const parts = parseSnippet('<img src=x onerror=alert(1)><b>hi</b>&lt;script&gt;');
    expect(parts).toEqual([
      { text: '<img src=x onerror=alert(1)>', bold: false },
      { text: 'hi', bold: true },
      { text: '<script>', bold: false },
    ]);
  });
});

describe('typing', () => {
  it('shows a typist until the deadline, and clears them', () => {
    let map = updateTyping({}, 'c1', 'm1', 5000, 1000);
    expect(typingIn(map, 'c1', 2000)).toEqual(['m1']);
    expect(typingIn(map, 'c1', 6000)).toEqual([]);
    map = updateTyping(map, 'c2', 'm2', 7000, 3000);
    expect(Object.keys(map).sort()).toEqual(['c1', 'c2']);
    map = updateTyping(map, 'c1', 'm1', 0, 3500);
    expect(typingIn(map, 'c1', 3600)).toEqual([]);
    map = updateTyping(map, 'c2', 'x', 0, 8000);
    expect(map).toEqual({});
  });
});
