// One message: bubble (text, location, link, chain, forward), recall and system
// notices, status (sending / failed + resend), read receipts and the actions menu.
import { App as AntApp, Button, Dropdown, Image, Input, Popover, Spin, type MenuProps } from 'antd';
import { EnvironmentOutlined, ExclamationCircleFilled, FileOutlined, LinkOutlined, LoadingOutlined, NotificationOutlined, OrderedListOutlined } from '@ant-design/icons';
import { useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { chatApi } from '../../api/endpoints';
import type { ChatMessage, Content, Conversation, Receipts } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { useChat } from '../../chat/ChatProvider';
import type { PendingMessage } from '../../chat/store';
import { previewText } from '../../chat/store';
import { localizeNotice } from '../../chat/logic';
import { formatVoiceDuration } from '../../chat/voice';
import { describeError } from '../../i18n/errors';
import { useI18n, useT } from '../../i18n/I18nProvider';
import { useSession } from '../../state/session';
import { usePreviewLabels } from './labels';

export interface MessageActions {
  reply: (m: ChatMessage) => void;
  forward: (m: ChatMessage) => void;
}

function TextWithMentions({ text }: { text: string }) {
  const parts = text.split(/(@[^\s@]+)/g);
  return (
    <>
      {parts.map((p, i) =>
        p.startsWith('@') ? (
          <span key={i} className="hd-mention">
            {p}
          </span>
        ) : (
          <span key={i}>{p}</span>
        ),
      )}
    </>
  );
}

function ChainCard({ msg, content }: { msg: ChatMessage; content: Extract<Content, { kind: 'chain' }> }) {
  const t = useT();
  const { memberName } = useChat();
  const { me } = useSession();
  const { message } = AntApp.useApp();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const entries = content.entries ?? [];
  const joined = entries.some((e) => e.member_id === me?.member.id);
  const join = async () => {
    if (!text.trim()) return;
    setBusy(true);
    try {
      await chatApi.joinChain(msg.id, text.trim());
      setText('');
    } catch (e) {
      message.error(describeError(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="hd-card hd-chain" data-testid="chain-card">
      <div className="hd-card-title">
        <OrderedListOutlined /> {t('chat.chain')} · {content.title}
      </div>
      {entries.length === 0 ? (
        <div className="hd-muted">{t('chat.chainEmpty')}</div>
      ) : (
        <ol className="hd-chain-list">
          {entries.map((e, i) => (
            <li key={i}>
              <span className="hd-chain-name">{memberName(e.member_id)}</span> {e.text}
            </li>
          ))}
        </ol>
      )}
      {(!joined || content.allow_multiple) && (
        <div className="hd-chain-join">
          <Input
            size="small"
            value={text}
            placeholder={t('chat.chainPlaceholder')}
            aria-label={t('chat.chainPlaceholder')}
            onChange={(e) => setText(e.target.value)}
            onPressEnter={() => void join()}
            maxLength={200}
            data-testid="chain-input"
          />
          <Button size="small" type="primary" onClick={() => void join()} loading={busy} data-testid="chain-join">
            {t('chat.chainJoin')}
          </Button>
        </div>
      )}
      <div className="hd-card-foot">{t('chat.chainCount', { n: new Set(entries.map((e) => e.member_id)).size })}</div>
    </div>
  );
}

/** An app notification card (审批): opens its in-app path on click or Enter. */
function AppCard({ content }: { content: Extract<Content, { kind: 'card' }> }) {
  const t = useT();
  const navigate = useNavigate();
  const go = () => {
    if (content.path.startsWith('/')) navigate(content.path);
  };
  return (
    <div
      className="hd-card hd-app-card"
      role="link"
      tabIndex={0}
      onClick={go}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          go();
        }
      }}
      data-testid="app-card"
      data-status={content.status}
    >
      <div className="hd-card-title">{content.title}</div>
      {content.description && <div className="hd-muted hd-app-card-desc">{content.description}</div>}
      <div className="hd-card-foot hd-app-card-foot">
        {content.status && <span className="hd-app-card-status" data-testid="app-card-status">{content.status}</span>}
        <span>{t('ap.card.open')} ›</span>
      </div>
    </div>
  );
}

export function ContentView({ msg, content }: { msg: ChatMessage | null; content: Content }): ReactNode {
  const t = useT();
  const labels = usePreviewLabels();
  switch (content.kind) {
    case 'text':
      return (
        <div className="hd-text">
          <TextWithMentions text={content.text} />
        </div>
      );
    case 'location': {
      const url = `https://www.openstreetmap.org/?mlat=${content.lat}&mlon=${content.lng}#map=17/${content.lat}/${content.lng}`;
      return (
        <a className="hd-card hd-location" href={url} target="_blank" rel="noreferrer" data-testid="location-card">
          <div className="hd-card-title">
            <EnvironmentOutlined /> {content.title || t('chat.location')}
          </div>
          {content.address && <div className="hd-muted">{content.address}</div>}
          <div className="hd-card-foot">
            {content.lat.toFixed(5)}, {content.lng.toFixed(5)}
          </div>
        </a>
      );
    }
    case 'link':
      return (
        <a className="hd-card hd-link" href={content.url} target="_blank" rel="noreferrer noopener" data-testid="link-card">
          <div className="hd-card-title">{content.title || content.url}</div>
          {content.description && <div className="hd-muted">{content.description}</div>}
          <div className="hd-card-foot">
            <LinkOutlined /> {safeHost(content.url)}
          </div>
        </a>
      );
    case 'chain':
      return msg ? <ChainCard msg={msg} content={content} /> : <div>{previewText(content, labels)}</div>;
    case 'image': {
      const url = `/api/v1/files/${encodeURIComponent(content.file_id)}`;
      const w = content.width && content.height ? Math.min(240, content.width) : undefined;
      const h = w && content.width && content.height ? Math.round((w * content.height) / content.width) : undefined;
      return (
        <div className="hd-image" data-testid="image-message" title={t('chat.openImage')}>
          <Image src={`${url}/thumbnail`} alt={t('chat.image')} width={w} height={h} preview={{ src: url }} />
        </div>
      );
    }
    case 'file':
      return (
        <a className="hd-card hd-file" href={`/api/v1/files/${encodeURIComponent(content.file_id)}`} download={content.name || true} data-testid="file-card">
          <div className="hd-card-title">
            <FileOutlined /> {content.name || t('chat.file')}
          </div>
          <div className="hd-card-foot">
            {content.size ? `${formatSize(content.size)} · ` : ''}
            {t('chat.download')}
          </div>
        </a>
      );
    case 'voice':
      return (
        <div className="hd-card hd-voice" data-testid="voice-message">
          <audio controls preload="none" src={`/api/v1/files/${encodeURIComponent(content.file_id)}`} aria-label={t('chat.voice')} data-testid="voice-audio" />
          {content.duration_ms ? <span className="hd-muted hd-voice-len">{formatVoiceDuration(content.duration_ms)}</span> : null}
        </div>
      );
    case 'card':
      return <AppCard content={content} />;
    case 'forward':
      return (
        <div className="hd-card hd-forward" data-testid="forward-card">
          <div className="hd-card-foot">{t('chat.forwardedFrom', { name: content.original_sender_name })}</div>
          <ContentView msg={null} content={content.original} />
        </div>
      );
    default:
      return <div>{previewText(content, labels)}</div>;
  }
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function ReceiptBadge({ conv, msg }: { conv: Conversation; msg: ChatMessage }) {
  const t = useT();
  const { store, memberName } = useChat();
  const [data, setData] = useState<Receipts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { read, total } = store.readCount(conv.id, msg.seq, msg.sender_id);
  if (total === 0 || conv.kind === 'channel') return null;
  const label =
    conv.kind === 'direct'
      ? read >= total
        ? t('chat.read')
        : t('chat.unread')
      : read >= total
        ? t('chat.allRead')
        : t('chat.readCount', { n: read, total });
  const load = (open: boolean) => {
    if (!open) return;
    setError(null);
    chatApi.receipts(msg.id).then(
      (r) => {
        setData(r);
        for (const id of r.read_by) store.setReadPointer(conv.id, id, msg.seq);
      },
      (e) => setError(describeError(t, e)),
    );
  };
  const list = (ids: string[]) => (
    <ul className="hd-receipt-list">
      {ids.map((id) => (
        <li key={id}>{memberName(id)}</li>
      ))}
    </ul>
  );
  const content = error ? (
    <div>{error}</div>
  ) : !data ? (
    <Spin size="small" />
  ) : (
    <div className="hd-receipts" data-testid="receipts">
      <div>
        <b>{t('chat.readBy', { n: data.read_by.length })}</b>
        {list(data.read_by)}
      </div>
      <div>
        <b>{t('chat.unreadBy', { n: data.unread_by.length })}</b>
        {list(data.unread_by)}
      </div>
    </div>
  );
  return (
    <Popover trigger="click" content={content} onOpenChange={load}>
      <button type="button" className={`hd-receipt${read >= total ? ' done' : ''}`} data-testid="receipt">
        {label}
      </button>
    </Popover>
  );
}

export function MessageRow({
  conv,
  msg,
  pending,
  actions,
  quoted,
  highlight = false,
}: {
  conv: Conversation;
  msg: ChatMessage | null;
  pending?: PendingMessage;
  actions: MessageActions;
  quoted?: ChatMessage;
  highlight?: boolean;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const { memberName, member, retry, store } = useChat();
  const { message } = AntApp.useApp();
  const labels = usePreviewLabels();
  const [menuOpen, setMenuOpen] = useState(false);
  const touch = useRef<ReturnType<typeof setTimeout> | null>(null);
  const myId = me?.member.id ?? '';
  const senderId = msg?.sender_id ?? pending?.sender_id ?? '';
  const mine = senderId === myId;
  const content = msg?.content ?? pending!.content;

  if (msg && content.kind === 'recall') return null;
  if (msg && (msg.recalled || content.kind === 'recalled')) {
    return (
      <div className="hd-notice" data-testid="recall-notice">
        {mine ? t('chat.youRecalled') : t('chat.recalledBy', { name: memberName(senderId) })}
      </div>
    );
  }
  if (content.kind === 'system') {
    return (
      <div className="hd-notice" data-testid="system-notice">
        {localizeNotice(content.text, t as never)}
      </div>
    );
  }

  const items: MenuProps['items'] = msg
    ? [
        ...(content.kind === 'text' ? [{ key: 'copy', label: t('chat.copy') }] : []),
        ...(conv.kind !== 'channel' ? [{ key: 'reply', label: t('chat.reply') }] : []),
        { key: 'forward', label: t('chat.forward') },
        ...(mine ? [{ key: 'recall', label: t('chat.recall'), danger: true }] : []),
        ...(!mine ? [{ key: 'unread', label: t('chat.markUnread') }] : []),
      ]
    : [];
  const onAction = async (key: string) => {
    if (!msg) return;
    try {
      if (key === 'copy' && content.kind === 'text') {
        await navigator.clipboard.writeText(content.text);
        message.success(t('chat.copied'));
      }
      if (key === 'reply') actions.reply(msg);
      if (key === 'forward') actions.forward(msg);
      if (key === 'recall') await chatApi.recall(msg.id);
      if (key === 'unread') {
        await chatApi.unread(conv.id);
        store.patchConversation(conv.id, { unread: Math.max(1, conv.unread) });
      }
    } catch (e) {
      message.error(describeError(t, e));
    }
  };

  const sender = member(senderId);
  const name = mine ? (me?.member.name ?? '') : memberName(senderId);
  const bubble = (
    <div
      className={`hd-bubble${['text'].includes(content.kind) ? '' : ' hd-bubble-card'}`}
      tabIndex={msg ? 0 : -1}
      aria-label={`${name}: ${previewText(content, labels)}`}
      data-testid="bubble"
      onTouchStart={() => {
        touch.current = setTimeout(() => setMenuOpen(true), 500);
      }}
      onTouchEnd={() => touch.current && clearTimeout(touch.current)}
      onTouchMove={() => touch.current && clearTimeout(touch.current)}
    >
      {quoted && (
        <div className="hd-quote">
          {memberName(quoted.sender_id)}: {quoted.recalled ? t('chat.recalledShort') : previewText(quoted.content, labels)}
        </div>
      )}
      <ContentView msg={msg} content={content} />
    </div>
  );
  return (
    <div className={`hd-msg${mine ? ' mine' : ''}${highlight ? ' hd-highlight' : ''}`} data-testid="message" data-seq={msg?.seq ?? ''} data-mine={mine ? '1' : '0'}>
      {!mine &&
        (conv.kind === 'channel' && (senderId === '0' || !name) ? (
          <span className="hd-channel-avatar" aria-hidden>
            <NotificationOutlined />
          </span>
        ) : (
          <Avatar name={name || '?'} id={senderId} url={sender?.avatar_url} size={36} />
        ))}
      <div className="hd-msg-body">
        {!mine && conv.kind === 'group' && <div className="hd-msg-sender">{name}</div>}
        <div className="hd-msg-line">
          {mine && pending && (
            <span className="hd-msg-status" data-testid="send-status">
              {pending.status === 'sending' ? (
                <LoadingOutlined aria-label={t('chat.sending')} />
              ) : (
                <Button
                  type="text"
                  size="small"
                  danger
                  icon={<ExclamationCircleFilled />}
                  title={pending.error ?? t('chat.failed')}
                  aria-label={t('chat.retry')}
                  onClick={() => void retry(conv.id, pending.client_msg_id)}
                  data-testid="send-retry"
                />
              )}
            </span>
          )}
          {msg ? (
            <Dropdown
              menu={{ items, onClick: ({ key }) => void onAction(key) }}
              trigger={['contextMenu']}
              open={menuOpen}
              onOpenChange={setMenuOpen}
            >
              {bubble}
            </Dropdown>
          ) : (
            bubble
          )}
        </div>
        {mine && msg && <ReceiptBadge conv={conv} msg={msg} />}
        {mine && pending?.status === 'failed' && <div className="hd-msg-error">{pending.error ?? t('chat.failed')}</div>}
      </div>
      {mine && <Avatar name={name || '?'} id={senderId} url={me?.member.avatar_url} size={36} />}
    </div>
  );
}
