// Click to start recording a voice message; the bar then shows the running time with
// "stop and send" and "cancel". Recording stops by itself at 5 minutes.
import { App as AntApp, Button, Tooltip } from 'antd';
import { AudioOutlined, CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { useEffect, useRef, useState } from 'react';
import { MAX_VOICE_MS, clampVoiceMs, formatVoiceDuration, pickVoiceMime, voiceFileName } from '../../chat/voice';
import { useT } from '../../i18n/I18nProvider';

export interface Recording {
  blob: Blob;
  durationMs: number;
  name: string;
}

export function VoiceRecorder({ onRecorded }: { onRecorded: (r: Recording) => void }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const [recording, setRecording] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const rec = useRef<{ recorder: MediaRecorder; stream: MediaStream; started: number; chunks: Blob[]; send: boolean } | null>(null);
  const onRecordedRef = useRef(onRecorded);
  onRecordedRef.current = onRecorded;

  const stop = (send: boolean) => {
    const r = rec.current;
    if (!r) return;
    r.send = send;
    if (r.recorder.state !== 'inactive') r.recorder.stop();
  };

  useEffect(() => {
    if (!recording) return;
    const timer = setInterval(() => {
      const r = rec.current;
      if (!r) return;
      const ms = Date.now() - r.started;
      setElapsed(ms);
      if (ms >= MAX_VOICE_MS) stop(true);
    }, 200);
    return () => clearInterval(timer);
  }, [recording]);

  // Leaving the chat drops a recording in progress.
  useEffect(() => () => stop(false), []);

  const start = async () => {
    if (typeof MediaRecorder === 'undefined' || !navigator.mediaDevices?.getUserMedia) {
      message.error(t('chat.micUnavailable'));
      return;
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      message.error(t('chat.micUnavailable'));
      return;
    }
    const mimeType = pickVoiceMime((m) => MediaRecorder.isTypeSupported(m));
    const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
    const state = { recorder, stream, started: Date.now(), chunks: [] as Blob[], send: false };
    recorder.ondataavailable = (e) => {
      if (e.data.size > 0) state.chunks.push(e.data);
    };
    recorder.onstop = () => {
      stream.getTracks().forEach((tr) => tr.stop());
      rec.current = null;
      setRecording(false);
      setElapsed(0);
      const durationMs = clampVoiceMs(Date.now() - state.started);
      const type = recorder.mimeType || mimeType || 'audio/webm';
      if (state.send && state.chunks.length) {
        onRecordedRef.current({ blob: new Blob(state.chunks, { type }), durationMs, name: voiceFileName(type) });
      }
    };
    rec.current = state;
    recorder.start(250);
    setElapsed(0);
    setRecording(true);
  };

  if (!recording) {
    return (
      <Tooltip title={t('chat.recordVoice')}>
        <Button type="text" icon={<AudioOutlined />} onClick={() => void start()} aria-label={t('chat.recordVoice')} data-testid="voice-record" />
      </Tooltip>
    );
  }
  return (
    <span className="hd-recording" data-testid="voice-recording" role="status">
      <span className="hd-rec-dot" aria-hidden="true" />
      {t('chat.recording', { duration: formatVoiceDuration(elapsed) })}
      <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => stop(true)} aria-label={t('chat.recordStop')} data-testid="voice-stop">
        {t('chat.recordStop')}
      </Button>
      <Button size="small" type="text" icon={<CloseOutlined />} onClick={() => stop(false)} aria-label={t('chat.recordCancel')} data-testid="voice-cancel" />
    </span>
  );
}
