import { describe, expect, it } from 'vitest';
import { clampVoiceMs, formatVoiceDuration, pickVoiceMime, voiceFileName } from './voice';

describe('voice helpers', () => {
  it('formats durations', () => {
    expect(formatVoiceDuration(0)).toBe('0:00');
    expect(formatVoiceDuration(undefined)).toBe('0:00');
    expect(formatVoiceDuration(400)).toBe('0:01');
    expect(formatVoiceDuration(7_900)).toBe('0:07');
    expect(formatVoiceDuration(65_000)).toBe('1:05');
    expect(formatVoiceDuration(300_000)).toBe('5:00');
  });
  it('clamps to 1 ms … 5 min', () => {
    expect(clampVoiceMs(0)).toBe(1);
    expect(clampVoiceMs(NaN)).toBe(1);
    expect(clampVoiceMs(1234.6)).toBe(1235);
    expect(clampVoiceMs(400_000)).toBe(300_000);
  });
  it('picks the first supported type and a matching name', () => {
    expect(pickVoiceMime((t) => t.startsWith('audio/ogg'))).toBe('audio/ogg;codecs=opus');
    expect(pickVoiceMime(() => false)).toBe('');
    expect(pickVoiceMime((t) => t === 'audio/mp4')).toBe('audio/mp4');
    expect(voiceFileName('audio/webm;codecs=opus')).toBe('voice.webm');
    expect(voiceFileName('audio/ogg;codecs=opus')).toBe('voice.ogg');
    expect(voiceFileName('audio/mp4')).toBe('voice.m4a');
    expect(voiceFileName('')).toBe('voice.webm');
  });
});
