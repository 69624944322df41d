// The conversation list: pinned first, then newest; right-click (or the context-menu
// key) for mark read / unread, mute and pin.
import { Badge, Dropdown, Input, App as AntApp, type MenuProps } from 'antd';
import { MutedOutlined, PushpinFilled, SearchOutlined, TeamOutlined, NotificationOutlined } from '@ant-design/icons';
import { useMemo, useState } from 'react';
import type { Conversation } from '../../api/types';
import { chatApi } from '../../api/endpoints';
import { Avatar } from '../../components/Avatar';
import { useChat } from '../../chat/ChatProvider';
import { listTime, localizeNotice, peerOf } from '../../chat/logic';
import { previewText } from '../../chat/store';
import { describeError } from '../../i18n/errors';
import { useI18n } from '../../i18n/I18nProvider';
import { useSession } from '../../state/session';
import { usePreviewLabels } from './labels';
import { SearchResults } from './SearchResults';

export function ConvAvatar({ conv, size = 40 }: { conv: Conversation; size?: number }) {
  const { me } = useSession();
  const { member } = useChat();
  if (conv.kind === 'direct') {
    const peer = peerOf(conv, me?.member.id ?? '') ?? conv.id;
    return <Avatar name={conv.name} id={peer} url={member(peer)?.avatar_url} size={size} />;
  }
  const icon = conv.kind === 'channel' ? <NotificationOutlined /> : <TeamOutlined />;
  return (
    <span className="hd-avatar hd-group-avatar" style={{ width: size, height: size, borderRadius: Math.round(size / 5), fontSize: Math.round(size * 0.5) }} aria-hidden="true">
      {icon}
    </span>
  );
}

export function ConversationList({
  activeId,
  onOpen,
  onOpenAt,
}: {
  activeId: string | null;
  onOpen: (id: string) => void;
  /** Opens a conversation at one message (a search result). */
  onOpenAt?: (id: string, seq: number) => void;
}) {
  const { t, locale } = useI18n();
  const { store, memberName, markRead, listLoaded } = useChat();
  const { me } = useSession();
  const { message } = AntApp.useApp();
  const labels = usePreviewLabels();
  const [q, setQ] = useState('');
  const all = store.conversations();
  const items = useMemo(() => {
    const s = q.trim().toLowerCase();
    return s ? all.filter((c) => c.name.toLowerCase().includes(s)) : all;
  }, [all, q]);
  const now = Date.now();

  const act = async (c: Conversation, key: string) => {
    try {
      if (key === 'read') markRead(c.id);
      if (key === 'unread') {
        await chatApi.unread(c.id);
        store.patchConversation(c.id, { unread: Math.max(1, c.unread) });
      }
      if (key === 'mute' || key === 'pin') {
        const patch = key === 'mute' ? { muted: !c.muted } : { pinned: !c.pinned };
        await chatApi.updateMine(c.id, patch);
        store.patchConversation(c.id, patch);
      }
    } catch (e) {
      message.error(describeError(t, e));
    }
  };

  const menu = (c: Conversation): MenuProps => ({
    items: [
      c.unread > 0 ? { key: 'read', label: t('chat.markRead') } : { key: 'unread', label: t('chat.markUnread') },
      { key: 'pin', label: c.pinned ? t('chat.unpin') : t('chat.pin') },
      { key: 'mute', label: c.muted ? t('chat.unmute') : t('chat.mute') },
    ],
    onClick: ({ key }) => void act(c, key),
  });

  return (
    <div className="hd-conv-pane">
      <div className="hd-conv-search">
        <Input
          allowClear
          prefix={<SearchOutlined />}
          placeholder={t('chat.searchGlobal')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          aria-label={t('chat.search')}
          data-testid="conv-search"
        />
      </div>
      {q.trim() && onOpenAt && (
        <div className="hd-conv-search-results">
          <div className="hd-search-section hd-muted">{t('chat.searchAll')}</div>
          <SearchResults query={q} onPick={(h) => onOpenAt(h.conversation_id, h.seq)} />
          {items.length > 0 && <div className="hd-search-section hd-muted">{t('chat.searchConversations')}</div>}
        </div>
      )}
      {listLoaded && all.length === 0 ? (
        <div className="hd-conv-empty">
          <div className="hd-empty-title">{t('chat.empty')}</div>
          <div className="hd-muted">{t('chat.emptyBody')}</div>
        </div>
      ) : (
        <ul className="hd-conv-list" data-testid="conv-list" aria-label={t('nav.messages')}>
          {items.map((c) => {
            const last = c.last_message;
            let preview = last ? previewText(last.content, labels) : '';
            if (last?.content.kind === 'system') preview = localizeNotice(last.content.text, t as never);
            if (last && (last.recalled || last.content.kind === 'recall')) {
              const who = last.content.kind === 'recall' ? last.sender_id : last.sender_id;
              preview = who === me?.member.id ? t('chat.youRecalled') : t('chat.recalledBy', { name: memberName(who) });
            } else if (last && c.kind === 'group' && last.content.kind !== 'system' && last.sender_id !== me?.member.id) {
              const n = memberName(last.sender_id);
              if (n) preview = `${n}: ${preview}`;
            }
            if (c.muted && c.unread > 1) preview = `[${t('chat.unreadCount', { n: c.unread })}] ${preview}`;
            return (
              <li key={c.id}>
                <Dropdown menu={menu(c)} trigger={['contextMenu']}>
                  <button
                    type="button"
                    className={`hd-conv${c.id === activeId ? ' active' : ''}${c.pinned ? ' pinned' : ''}`}
                    onClick={() => onOpen(c.id)}
                    data-testid="conv-item"
                    data-conv-name={c.name}
                    aria-current={c.id === activeId ? 'true' : undefined}
                  >
                    <Badge count={c.muted ? 0 : c.unread} dot={c.muted && c.unread > 0} size="small" offset={[-2, 2]}>
                      <ConvAvatar conv={c} />
                    </Badge>
                    <span className="hd-conv-text">
                      <span className="hd-conv-top">
                        <span className="hd-conv-name">{c.name}</span>
                        <span className="hd-conv-time">{listTime(c.last_message_at, now, locale, t('chat.yesterday'))}</span>
                      </span>
                      <span className="hd-conv-bottom">
                        <span className="hd-conv-preview">{preview}</span>
                        {c.pinned && <PushpinFilled className="hd-conv-flag" aria-label={t('chat.pinned')} />}
                        {c.muted && <MutedOutlined className="hd-conv-flag" aria-label={t('chat.muted')} />}
                      </span>
                    </span>
                  </button>
                </Dropdown>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
