// The message composer: Enter sends, Shift+Enter breaks the line, "@" opens the member
// picker, "/" at the start opens the command menu, plus reply bar and location sharing.
import { App as AntApp, Button, Checkbox, Input, Modal, Progress, Tooltip } from 'antd';
import { CloseOutlined, EnvironmentOutlined, OrderedListOutlined, PaperClipOutlined, PictureOutlined } from '@ant-design/icons';
import { useEffect, useMemo, useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent } from 'react';
import { kindForFile, uploadFile } from '../../api/upload';
import { describeError } from '../../i18n/errors';
import { VoiceRecorder, type Recording } from './VoiceRecorder';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import type { ChatMessage, Conversation } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { useChat } from '../../chat/ChatProvider';
import { canMentionAll, insertMention, mentionQuery, mentionsInText } from '../../chat/logic';
import { previewText } from '../../chat/store';
import { useT } from '../../i18n/I18nProvider';
import { useSession } from '../../state/session';
import { usePreviewLabels } from './labels';
import { useNavigate } from 'react-router';

interface Option {
  id: string;
  name: string;
}

interface Upload {
  key: number;
  name: string;
  progress: number;
}


export function Composer({
  conv,
  replyTo,
  onCancelReply,
}: {
  conv: Conversation;
  replyTo: ChatMessage | null;
  onCancelReply: () => void;
}) {
  const t = useT();
  const { me } = useSession();
  const { send, memberName, sendTyping } = useChat();
  const { message } = AntApp.useApp();
  const labels = usePreviewLabels();
  const navigate = useNavigate();
  const myId = me?.member.id ?? '';
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<Option[]>([]);
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const [chainOpen, setChainOpen] = useState(false);
  const [chainTitle, setChainTitle] = useState('');
  const [chainMulti, setChainMulti] = useState(false);
  const [locating, setLocating] = useState(false);
  const ref = useRef<TextAreaRef>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const uploadKey = useRef(0);
  const imageInput = useRef<HTMLInputElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const allLabel = t('chat.mentionAll');

  useEffect(() => {
    setText('');
    setPicked([]);
    setMention(null);
  }, [conv.id]);
  useEffect(() => {
    if (replyTo) ref.current?.focus();
  }, [replyTo]);

  const commandMode = /^\/\S*$/.test(text);
  const commands = useMemo(
    () => [
      { id: 'chain', name: t('chat.cmd.chain'), keys: ['chain', 'jielong', '接龙', 'sign'] },
      { id: 'approval', name: t('ap.chat.cmd'), keys: ['approval', 'shenpi', 'sp', '审批', 'leave', 'qingjia', '请假'] },
    ],
    [t],
  );
  const options: Option[] = useMemo(() => {
    if (commandMode) {
      const q = text.slice(1).toLowerCase();
      return commands.filter((c) => !q || c.keys.some((k) => k.startsWith(q)) || c.name.toLowerCase().includes(q));
    }
    if (!mention || conv.kind !== 'group') return [];
    const q = mention.query.toLowerCase();
    const list: Option[] = [];
    if (canMentionAll(conv, myId) && (!q || allLabel.includes(q) || 'all'.startsWith(q))) list.push({ id: '*', name: allLabel });
    for (const id of conv.member_ids) {
      if (id === myId) continue;
      const name = memberName(id);
      if (name && (!q || name.toLowerCase().includes(q))) list.push({ id, name });
    }
    return list.slice(0, 50);
  }, [commandMode, commands, text, mention, conv, myId, memberName, allLabel]);
  const pickerOpen = options.length > 0;

  const choose = (o: Option) => {
    if (commandMode) {
      setText('');
      if (o.id === 'chain') {
        setChainTitle('');
        setChainMulti(false);
        setChainOpen(true);
      }
      if (o.id === 'approval') navigate('/workbench/approvals');
      return;
    }
    if (!mention) return;
    const caret = ref.current?.resizableTextArea?.textArea.selectionStart ?? text.length;
    const r = insertMention(text, mention.start, caret, o.name);
    setText(r.text);
    setPicked((p) => [...p, o]);
    setMention(null);
    requestAnimationFrame(() => {
      const el = ref.current?.resizableTextArea?.textArea;
      if (el) {
        el.focus();
        el.setSelectionRange(r.caret, r.caret);
      }
    });
  };

  const submit = () => {
    const body = text.trim();
    if (!body) return;
    const { mentions, mention_all } = mentionsInText(text, picked, allLabel);
    void send(conv.id, { kind: 'text', text: body, ...(mentions.length ? { mentions } : {}), ...(mention_all ? { mention_all } : {}) }, replyTo?.id ?? null);
    setText('');
    setPicked([]);
    setMention(null);
    onCancelReply();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (pickerOpen) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((a) => (a + 1) % options.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a - 1 + options.length) % options.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        choose(options[Math.min(active, options.length - 1)]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setMention(null);
        if (commandMode) setText('');
        return;
      }
    }
    if (e.key === 'Escape' && replyTo) {
      e.stopPropagation();
      onCancelReply();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  };

  const onChange = (value: string, caret: number) => {
    setText(value);
    if (value.trim() && !value.startsWith('/')) sendTyping(conv.id);
    setMention(conv.kind === 'group' ? mentionQuery(value, caret) : null);
    setActive(0);
  };

  const shareLocation = () => {
    if (!('geolocation' in navigator)) {
      message.error(t('chat.locationUnavailable'));
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false);
        void send(conv.id, {
          kind: 'location',
          lat: Number(pos.coords.latitude.toFixed(6)),
          lng: Number(pos.coords.longitude.toFixed(6)),
          title: t('chat.myLocation'),
        });
      },
      (err) => {
        setLocating(false);
        Modal.error({
          title: t('chat.shareLocation'),
          content: err.code === err.PERMISSION_DENIED ? t('chat.locationDenied') : t('chat.locationUnavailable'),
        });
      },
      { timeout: 15_000, maximumAge: 60_000 },
    );
  };

  // Upload, then send a message that names the upload.
  const sendFile = async (file: File, forced?: 'file') => {
    const kind = forced ?? kindForFile(file);
    const key = ++uploadKey.current;
    const name = file.name || (kind === 'image' ? 'image.png' : 'file');
    setUploads((u) => [...u, { key, name, progress: 0 }]);
    try {
      const up = await uploadFile(file, {
        kind,
        name,
        onProgress: (f) => setUploads((u) => u.map((x) => (x.key === key ? { ...x, progress: f } : x))),
      });
      void send(
        conv.id,
        kind === 'image'
          ? { kind: 'image', file_id: up.id, ...(up.width && up.height ? { width: up.width, height: up.height } : {}) }
          : { kind: 'file', file_id: up.id, name: up.name, size: up.size },
      );
    } catch (e) {
      message.error(t('chat.uploadFailed', { name, error: describeError(t, e) }));
    } finally {
      setUploads((u) => u.filter((x) => x.key !== key));
    }
  };
  const sendVoice = async (r: Recording) => {
    const key = ++uploadKey.current;
    const name = t('chat.voice');
    setUploads((u) => [...u, { key, name, progress: 0 }]);
    try {
      const up = await uploadFile(r.blob, {
        kind: 'voice',
        name: r.name,
        durationMs: r.durationMs,
        onProgress: (f) => setUploads((u) => u.map((x) => (x.key === key ? { ...x, progress: f } : x))),
      });
      void send(conv.id, { kind: 'voice', file_id: up.id, duration_ms: up.duration_ms ?? r.durationMs });
    } catch (e) {
      message.error(t('chat.uploadFailed', { name, error: describeError(t, e) }));
    } finally {
      setUploads((u) => u.filter((x) => x.key !== key));
    }
  };
  const sendFiles = (files: FileList | File[] | null, forced?: 'file') => {
    for (const f of Array.from(files ?? [])) void sendFile(f, forced);
  };
  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = Array.from(e.clipboardData?.files ?? []);
    if (files.length === 0) return;
    e.preventDefault();
    sendFiles(files);
  };
  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  const onDragOver = (e: DragEvent<HTMLDivElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragging(false);
    sendFiles(e.dataTransfer.files);
  };

  const sendChain = () => {
    if (!chainTitle.trim()) return;
    void send(conv.id, { kind: 'chain', title: chainTitle.trim(), ...(chainMulti ? { allow_multiple: true } : {}) });
    setChainOpen(false);
  };

  return (
    <div
      className={`hd-composer${dragging ? ' hd-dragging' : ''}`}
      data-testid="composer"
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {dragging && <div className="hd-drop-hint">{t('chat.dropHere')}</div>}
      {uploads.map((u) => (
        <div key={u.key} className="hd-upload" data-testid="upload-progress">
          <span className="hd-upload-name">{t('chat.uploading', { name: u.name })}</span>
          <Progress percent={Math.round(u.progress * 100)} size="small" />
        </div>
      ))}
      {replyTo && (
        <div className="hd-reply-bar" data-testid="reply-bar">
          <span className="hd-reply-text">
            {t('chat.replyTo', { name: memberName(replyTo.sender_id) })}: {previewText(replyTo.content, labels)}
          </span>
          <Button type="text" size="small" icon={<CloseOutlined />} onClick={onCancelReply} aria-label={t('common.cancel')} />
        </div>
      )}
      {pickerOpen && (
        <ul className="hd-mention-picker" role="listbox" data-testid={commandMode ? 'command-menu' : 'mention-picker'} aria-label={commandMode ? t('chat.commands') : '@'}>
          {options.map((o, i) => (
            <li
              key={o.id}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(o);
              }}
              data-testid="picker-option"
            >
              {commandMode ? <OrderedListOutlined /> : <Avatar name={o.name} id={o.id === '*' ? 'all' : o.id} size={24} />}
              <span>{o.name}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="hd-composer-tools">
        <Tooltip title={t('chat.attachImage')}>
          <Button type="text" icon={<PictureOutlined />} onClick={() => imageInput.current?.click()} aria-label={t('chat.attachImage')} data-testid="attach-image" />
        </Tooltip>
        <Tooltip title={t('chat.attachFile')}>
          <Button type="text" icon={<PaperClipOutlined />} onClick={() => fileInput.current?.click()} aria-label={t('chat.attachFile')} data-testid="attach-file" />
        </Tooltip>
        <VoiceRecorder onRecorded={(r) => void sendVoice(r)} />
        <input
          ref={imageInput}
          type="file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          multiple
          hidden
          data-testid="image-input"
          onChange={(e) => {
            sendFiles(e.target.files);
            e.target.value = '';
          }}
        />
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            sendFiles(e.target.files, 'file');
            e.target.value = '';
          }}
        />
        <Tooltip title={t('chat.shareLocation')}>
          <Button type="text" icon={<EnvironmentOutlined />} loading={locating} onClick={shareLocation} aria-label={t('chat.shareLocation')} data-testid="share-location" />
        </Tooltip>
        {conv.kind === 'group' && (
          <Tooltip title={t('chat.chainNew')}>
            <Button type="text" icon={<OrderedListOutlined />} onClick={() => setChainOpen(true)} aria-label={t('chat.chainNew')} data-testid="chain-new" />
          </Tooltip>
        )}
      </div>
      <div className="hd-composer-row">
        <Input.TextArea
          ref={ref}
          value={text}
          autoSize={{ minRows: 1, maxRows: 6 }}
          placeholder={t('chat.placeholder')}
          aria-label={t('chat.placeholder')}
          onChange={(e) => onChange(e.target.value, e.target.selectionStart ?? e.target.value.length)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => setTimeout(() => setMention(null), 150)}
          maxLength={5000}
          data-testid="composer-input"
        />
        <Button type="primary" className="hd-send-btn" onClick={submit} disabled={!text.trim()} data-testid="composer-send">
          {t('chat.send')}
        </Button>
      </div>
      <Modal
        open={chainOpen}
        title={t('chat.chainNew')}
        onCancel={() => setChainOpen(false)}
        onOk={sendChain}
        okButtonProps={{ disabled: !chainTitle.trim(), 'data-testid': 'chain-ok' }}
        okText={t('chat.send')}
        destroyOnHidden
      >
        <Input
          autoFocus
          value={chainTitle}
          placeholder={t('chat.chainTitle')}
          aria-label={t('chat.chainTitle')}
          maxLength={200}
          onChange={(e) => setChainTitle(e.target.value)}
          onPressEnter={sendChain}
          data-testid="chain-title"
        />
        <Checkbox className="hd-gap-top" checked={chainMulti} onChange={(e) => setChainMulti(e.target.checked)}>
          {t('chat.chainMultiple')}
        </Checkbox>
      </Modal>
    </div>
  );
}
