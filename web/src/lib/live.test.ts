import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, isDeliberateClose, isDirectoryEvent, LiveSocket, parseLiveEvent, probeSession, wsUrl, type SessionCheck } from './live';

class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onclose: ((e?: { code?: number }) => void) | null = null;
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

/** Lets pending promise callbacks (the session check) run under fake timers. */
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function setup(check: () => Promise<SessionCheck>) {
  vi.useFakeTimers();
  const onSessionEnded = vi.fn();
  const checkSession = vi.fn(check);
  const statuses: string[] = [];
  const sock = new LiveSocket({
    url: 'ws://x/api/v1/ws',
    onEvent: () => {},
    onStatus: (s) => statuses.push(s),
    checkSession,
    onSessionEnded,
    createSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
  });
  sock.start();
  return { sock, checkSession, onSessionEnded, statuses };
}

describe('LiveSocket session checks', () => {
  it('probeSession maps /me results', async () => {
    expect(await probeSession(async () => ({}))).toBe('active');
    expect(await probeSession(async () => Promise.reject({ status: 401 }))).toBe('ended');
    expect(await probeSession(async () => Promise.reject({ status: 0 }))).toBe('unknown');
    expect(await probeSession(async () => Promise.reject(new Error('x')))).toBe('unknown');
  });

  it('recognizes deliberate server closes', () => {
    expect(isDeliberateClose(1000)).toBe(true);
    expect(isDeliberateClose(1005)).toBe(true);
    expect(isDeliberateClose(1008)).toBe(true);
    expect(isDeliberateClose(4401)).toBe(true);
    expect(isDeliberateClose(1006)).toBe(false);
    expect(isDeliberateClose(undefined)).toBe(false);
  });

  it('a refused upgrade (never opens) checks /me and, on 401, stops and goes to sign-in', async () => {
    const { checkSession, onSessionEnded } = setup(async () => 'ended');
    FakeSocket.all[0].onclose!({ code: 1006 });
    await flush();
    expect(checkSession).toHaveBeenCalledTimes(1);
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(120_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('keeps retrying with growing backoff while the session is valid or the server is unreachable', async () => {
    const results: SessionCheck[] = ['unknown', 'active', 'active'];
    const { checkSession, onSessionEnded } = setup(async () => results.shift() ?? 'active');
    FakeSocket.all[0].onclose!({ code: 1006 });
    await flush();
    vi.advanceTimersByTime(700);
    expect(FakeSocket.all).toHaveLength(2);
    // opens, then closes right away: counts as failed, backoff keeps growing
    FakeSocket.all[1].onopen!();
    FakeSocket.all[1].onclose!({ code: 1006 });
    await flush();
    vi.advanceTimersByTime(700);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(700);
    expect(FakeSocket.all).toHaveLength(3);
    expect(checkSession).toHaveBeenCalledTimes(2);
    expect(onSessionEnded).not.toHaveBeenCalled();
  });

  it('a dropped healthy connection reconnects first and checks only when that fails', async () => {
    const { checkSession, onSessionEnded } = setup(async () => 'ended');
    FakeSocket.all[0].onopen!();
    vi.advanceTimersByTime(60_000);
    FakeSocket.all[0].onclose!({ code: 1006 });
    await flush();
    expect(checkSession).not.toHaveBeenCalled();
    vi.advanceTimersByTime(700);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1].onclose!({ code: 1006 }); // 401 at upgrade
    await flush();
    expect(checkSession).toHaveBeenCalledTimes(1);
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
  });

  it('the server closing the socket itself (revoked session) is checked at once', async () => {
    const { checkSession, onSessionEnded } = setup(async () => 'ended');
    FakeSocket.all[0].onopen!();
    vi.advanceTimersByTime(60_000);
    FakeSocket.all[0].onclose!({ code: 1008 });
    await flush();
    expect(checkSession).toHaveBeenCalledTimes(1);
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(120_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('a session-ended event before an abnormal close also triggers the check', async () => {
    const { checkSession, onSessionEnded } = setup(async () => 'ended');
    FakeSocket.all[0].onopen!();
    vi.advanceTimersByTime(60_000);
    FakeSocket.all[0].onmessage!({ data: '{"type":"session.revoked"}' });
    FakeSocket.all[0].onclose!({ code: 1006 });
    await flush();
    expect(checkSession).toHaveBeenCalledTimes(1);
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
  });

  it('a server close with a valid session (e.g. resync) reconnects', async () => {
    const { checkSession, onSessionEnded } = setup(async () => 'active');
    FakeSocket.all[0].onopen!();
    vi.advanceTimersByTime(60_000);
    FakeSocket.all[0].onclose!({ code: 1005 });
    await flush();
    expect(checkSession).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(700);
    expect(FakeSocket.all).toHaveLength(2);
    expect(onSessionEnded).not.toHaveBeenCalled();
  });

  it('stop() during a session check wins', async () => {
    let resolve!: (r: SessionCheck) => void;
    const { sock, onSessionEnded } = setup(() => new Promise<SessionCheck>((r) => (resolve = r)));
    FakeSocket.all[0].onclose!({ code: 1006 });
    sock.stop();
    resolve('ended');
    await flush();
    expect(onSessionEnded).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });
});
