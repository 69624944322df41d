import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, isDirectoryEvent, LiveSocket, parseLiveEvent, wsUrl } from './live';

class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((m: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.closed = true;
  }
}

afterEach(() => {
  vi.useRealTimers();
  FakeSocket.all = [];
});

describe('live helpers', () => {
  it('backoff grows exponentially and is capped', () => {
    const mid = () => 0.5;
    expect(backoffDelay(0, mid)).toBe(500);
    expect(backoffDelay(1, mid)).toBe(1000);
    expect(backoffDelay(3, mid)).toBe(4000);
    expect(backoffDelay(20, mid)).toBe(30000);
    expect(backoffDelay(0, () => 0)).toBe(375);
    expect(backoffDelay(0, () => 1)).toBe(625);
  });

  it('builds ws and wss URLs', () => {
    expect(wsUrl({ protocol: 'http:', host: 'a:8080' })).toBe('ws://a:8080/api/v1/ws');
    expect(wsUrl({ protocol: 'https:', host: 'a' })).toBe('wss://a/api/v1/ws');
  });

  it('parses events and recognizes directory changes', () => {
    expect(parseLiveEvent('{"type":"directory.member.updated","payload":{}}')?.type).toBe('directory.member.updated');
    expect(parseLiveEvent('nope')).toBeNull();
    expect(parseLiveEvent('{"x":1}')).toBeNull();
    expect(isDirectoryEvent({ type: 'directory.department.moved' })).toBe(true);
    expect(isDirectoryEvent({ type: 'resync' })).toBe(true);
    expect(isDirectoryEvent({ type: 'hello' })).toBe(false);
    expect(isDirectoryEvent({ type: 'chat.message' })).toBe(false);
  });
});

describe('LiveSocket', () => {
  it('delivers events, reconnects with backoff and reports reconnection', () => {
    vi.useFakeTimers();
    const events: string[] = [];
    const statuses: string[] = [];
    const onReconnect = vi.fn();
    const sock = new LiveSocket({
      url: 'ws://x/api/v1/ws',
      onEvent: (e) => events.push(e.type),
      onStatus: (s) => statuses.push(s),
      onReconnect,
      createSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
    });
    sock.start();
    expect(FakeSocket.all).toHaveLength(1);
    FakeSocket.all[0].onopen!();
    FakeSocket.all[0].onmessage!({ data: '{"type":"directory.department.updated"}' });
    expect(events).toEqual(['directory.department.updated']);
    FakeSocket.all[0].onclose!();
    expect(statuses).toEqual(['connecting', 'open', 'closed']);
    vi.advanceTimersByTime(700);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1].onopen!();
    expect(onReconnect).toHaveBeenCalledTimes(1);
    sock.stop();
    expect(FakeSocket.all[1].closed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(2);
  });
});
