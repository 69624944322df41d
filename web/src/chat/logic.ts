// Small pure helpers for the chat screens.
import type { ChatMessage, Conversation } from '../api/types';

/** "HH:mm" today, "Yesterday", "MM/DD" this year, else "YYYY/MM/DD" (list times). */
export function listTime(ms: number, now: number, locale: string, yesterday: string): string {
  if (!ms) return '';
  const d = new Date(ms);
  const n = new Date(now);
  if (sameDay(d, n)) return d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hour12: false });
  const y = new Date(n);
  y.setDate(n.getDate() - 1);
  if (sameDay(d, y)) return yesterday;
  if (d.getFullYear() === n.getFullYear()) return d.toLocaleDateString(locale, { month: '2-digit', day: '2-digit' });
  return d.toLocaleDateString(locale, { year: 'numeric', month: '2-digit', day: '2-digit' });
}

export function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Whether a date separator goes before message `i` (first message, or a new day). */
export function needsDateSeparator(items: { created_at: number }[], i: number): boolean {
  if (i === 0) return true;
  return !sameDay(new Date(items[i - 1].created_at), new Date(items[i].created_at));
}

/** "Today", "Yesterday" or a full date, for separators. */
export function separatorLabel(ms: number, now: number, locale: string, today: string, yesterday: string): string {
  const d = new Date(ms);
  const n = new Date(now);
  const time = d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hour12: false });
  if (sameDay(d, n)) return `${today} ${time}`;
  const y = new Date(n);
  y.setDate(n.getDate() - 1);
  if (sameDay(d, y)) return `${yesterday} ${time}`;
  return `${d.toLocaleDateString(locale, { year: 'numeric', month: '2-digit', day: '2-digit' })} ${time}`;
}

/** The "@…" being typed right before the caret, or null. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([^\s@]{0,20})$/.exec(before);
  if (!m) return null;
  return { start: caret - m[2].length - 1, query: m[2] };
}

/** Replaces the "@query" at `start` with "@Name " and returns the new text and caret. */
export function insertMention(text: string, start: number, caret: number, name: string): { text: string; caret: number } {
  const ins = `@${name} `;
  return { text: text.slice(0, start) + ins + text.slice(caret), caret: start + ins.length };
}

/** Mentions that still appear in the text as "@Name". */
export function mentionsInText(
  text: string,
  picked: { id: string; name: string }[],
  allLabel: string,
): { mentions: string[]; mention_all: boolean } {
  const mentions = [...new Set(picked.filter((p) => p.id !== '*' && text.includes(`@${p.name}`)).map((p) => p.id))];
  const mention_all = picked.some((p) => p.id === '*') && text.includes(`@${allLabel}`);
  return { mentions, mention_all };
}

const ANNOUNCE = /^.+? updated the group announcement: ([\s\S]*)$/;
const ANNOUNCE_REMOVED = /^.+? removed the group announcement$/;

/**
 * The group announcement: from the conversation when the server sends it, else from
 * the newest announcement notice among the messages held.
 */
export function announcementOf(conv: Conversation | undefined, items: ChatMessage[]): string | null {
  if (conv && 'announcement' in conv) return conv.announcement || null;
  for (let i = items.length - 1; i >= 0; i--) {
    const c = items[i].content;
    if (c.kind !== 'system') continue;
    const m = ANNOUNCE.exec(c.text);
    if (m) return m[1];
    if (ANNOUNCE_REMOVED.test(c.text)) return null;
  }
  return null;
}

/** The other person in a direct chat. */
export function peerOf(conv: Conversation, me: string): string | undefined {
  return conv.member_ids.find((m) => m !== me);
}

/** "+08:00" for an offset in minutes east of UTC. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Server notices (written in English) and the catalog keys that say them in the user's language. */
const NOTICES: [RegExp, string][] = [
  [/^(.+?) created the group “(.*)”$/, 'chat.sys.created'],
  [/^(.+?) updated the group announcement: ([\s\S]*)$/, 'chat.sys.announcement'],
  [/^(.+?) removed the group announcement$/, 'chat.sys.announcementRemoved'],
  [/^(.+?) allowed only the owner and administrators to speak$/, 'chat.sys.onlyAdmins'],
  [/^(.+?) allowed everyone to speak$/, 'chat.sys.everyoneSpeaks'],
  [/^(.+?) renamed the group to “(.*)”$/, 'chat.sys.renamed'],
  [/^(.+?) made (.+) the group owner$/, 'chat.sys.owner'],
  [/^(.+?) added (.+)$/, 'chat.sys.added'],
  [/^(.+) left the group$/, 'chat.sys.left'],
  [/^(.+?) removed (.+)$/, 'chat.sys.removed'],
];

/** A server notice in the user's language; unknown notices are shown as sent. */
export function localizeNotice(text: string, t: (key: never, vars?: Record<string, string>) => string): string {
  for (const [re, key] of NOTICES) {
    const m = re.exec(text);
    if (m) return t(key as never, { a: m[1], b: m[2] ?? '' });
  }
  return text;
}

/** Owner or group administrator. */
export function isGroupAdmin(conv: Conversation, me: string): boolean {
  return conv.owner_id === me || conv.my_role === 'owner' || conv.my_role === 'admin' || Boolean(conv.admin_ids?.includes(me));
}

/** Whether the caller may use @所有人 in this chat. */
export function canMentionAll(conv: Conversation, me: string): boolean {
  return conv.kind === 'group' && (isGroupAdmin(conv, me) || conv.mention_all === 'everyone');
}

/** Whether the caller may send here (channels are read-only; a group may restrict speaking). */
export function canSpeak(conv: Conversation, me: string): boolean {
  if (conv.kind === 'channel') return false;
  return !(conv.kind === 'group' && conv.only_admins_speak && !isGroupAdmin(conv, me));
}

/** One piece of a search snippet: text to show, bold where the search matched. */
export interface SnippetPart {
  text: string;
  bold: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    return ENTITIES[e.toLowerCase()] ?? all;
  });
}

/**
 * Reads the server's `snippet_html` (HTML-escaped text with `<b>` around matches) into
 * plain text parts. Only `<b>`/`</b>` have meaning; any other markup stays literal text,
 * so rendering the parts as React text can never inject HTML.
 */
export function parseSnippet(html: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let bold = false;
  for (const token of html.split(/(<\/?b>)/i)) {
    if (/^<b>$/i.test(token)) bold = true;
    else if (/^<\/b>$/i.test(token)) bold = false;
    else if (token) {
      const text = decodeEntities(token);
      const last = parts[parts.length - 1];
      if (last && last.bold === bold) last.text += text;
      else parts.push({ text, bold });
    }
  }
  return parts;
}

/** How long a `typing` event shows, and the least time between our own typing frames. */
export const TYPING_SHOW_MS = 4000;
export const TYPING_SEND_EVERY_MS = 2000;

/** Who is typing where: conversation id → member id → shown until (ms). */
export type TypingMap = Record<string, Record<string, number>>;

/** Records a typing event (or, with `until` 0, clears the member) and drops expired entries. */
export function updateTyping(map: TypingMap, convId: string, memberId: string, until: number, now: number): TypingMap {
  const next: TypingMap = {};
  for (const [c, members] of Object.entries(map)) {
    const kept: Record<string, number> = {};
    for (const [m, u] of Object.entries(members)) if (u > now && !(c === convId && m === memberId)) kept[m] = u;
    if (Object.keys(kept).length) next[c] = kept;
  }
  if (until > now) next[convId] = { ...(next[convId] ?? {}), [memberId]: until };
  return next;
}

/** Members typing in a conversation at `now`. */
export function typingIn(map: TypingMap, convId: string, now: number): string[] {
  return Object.entries(map[convId] ?? {})
    .filter(([, u]) => u > now)
    .map(([m]) => m);
}
