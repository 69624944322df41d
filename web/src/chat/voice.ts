// Voice-message helpers: recording format, durations.

/** The server accepts voice messages of 1 ms to 5 minutes. */
export const MAX_VOICE_MS = 300_000;

/** Container types to try with MediaRecorder, best first (all accepted by the server). */
export const VOICE_MIME_TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/ogg', 'audio/mp4'];

/** The first type the recorder supports, or '' to let the browser choose. */
export function pickVoiceMime(isSupported: (type: string) => boolean): string {
  for (const type of VOICE_MIME_TYPES) {
    try {
      if (isSupported(type)) return type;
    } catch {
      /* ignore */
    }
  }
  return '';
}

/** A file name whose extension matches the recorded type. */
export function voiceFileName(mime: string): string {
  const base = mime.split(';')[0].trim().toLowerCase();
  const ext = base === 'audio/ogg' ? 'ogg' : base === 'audio/mp4' ? 'm4a' : base === 'audio/mpeg' ? 'mp3' : base === 'audio/wav' ? 'wav' : 'webm';
  return `voice.${ext}`;
}

/** Keeps a measured length within what the server accepts. */
export function clampVoiceMs(ms: number): number {
  if (!Number.isFinite(ms)) return 1;
  return Math.min(MAX_VOICE_MS, Math.max(1, Math.round(ms)));
}

/** "0:07", "1:05", "5:00" (seconds rounded down; a started second under 1 s shows 0:01). */
export function formatVoiceDuration(ms: number | null | undefined): string {
  if (!ms || ms <= 0 || !Number.isFinite(ms)) return '0:00';
  const total = Math.max(1, Math.floor(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}
