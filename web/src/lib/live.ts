// WebSocket to /api/v1/ws with exponential backoff reconnects. When a connection
// fails (refused at upgrade, or closed right after opening) or the server closes it
// on purpose, the session is checked with GET /api/v1/me first: a session that has
// ended (401) stops the reconnects and sends the user to sign in.

export interface LiveEvent {
  type: string;
  [key: string]: unknown;
}

export type LiveStatus = 'connecting' | 'open' | 'closed';

/** Delay before reconnect attempt `attempt` (0-based): 0.5s, 1s, 2s … capped at 30s, with jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.75 + random() * 0.5));
}

export function wsUrl(loc: { protocol: string; host: string } = globalThis.location): string {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${loc.host}/api/v1/ws`;
}

export function parseLiveEvent(data: unknown): LiveEvent | null {
  if (typeof data !== 'string') return null;
  try {
    const v = JSON.parse(data) as unknown;
    if (v && typeof v === 'object' && typeof (v as LiveEvent).type === 'string') return v as LiveEvent;
  } catch {
    /* ignore malformed frames */
  }
  return null;
}

/** directory.* changes, and `resync` (sent when this client fell behind), mean: refetch the directory. */
export function isDirectoryEvent(e: LiveEvent): boolean {
  return e.type.startsWith('directory.') || e.type === 'resync';
}

/** Events the server may send right before closing a socket whose session ended. */
export function isSessionEndEvent(e: LiveEvent): boolean {
  return e.type === 'session.revoked' || e.type === 'session.ended' || e.type === 'session.expired';
}

/**
 * Close codes that say the server closed the socket on purpose (as opposed to 1006,
 * a dropped connection): normal closure, no status, policy violation (e.g. revoked
 * session) and the application range.
 */
export function isDeliberateClose(code: number | undefined): boolean {
  return code === 1000 || code === 1005 || code === 1008 || (code !== undefined && code >= 4000 && code < 5000);
}

export type SessionCheck = 'active' | 'ended' | 'unknown';

/** Runs `fetchMe` (GET /api/v1/me): 'ended' on 401, 'unknown' on other failures. */
export async function probeSession(fetchMe: () => Promise<unknown>): Promise<SessionCheck> {
  try {
    await fetchMe();
    return 'active';
  } catch (e) {
    return (e as { status?: unknown } | null)?.status === 401 ? 'ended' : 'unknown';
  }
}

export interface LiveSocketOptions {
  url?: string;
  onEvent: (e: LiveEvent) => void;
  onStatus?: (s: LiveStatus) => void;
  /** Called after a reconnect so listeners can catch up on missed events. */
  onReconnect?: () => void;
  createSocket?: (url: string) => WebSocket;
  /** Asks the server whether the session is still valid (see probeSession). */
  checkSession?: () => Promise<SessionCheck>;
  /** The session has ended: the socket has stopped; go to the sign-in page. */
  onSessionEnded?: () => void;
  /** A connection that closes sooner than this after opening counts as failed (ms). */
  minHealthyMs?: number;
  now?: () => number;
}

export class LiveSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private everOpened = false;
  private readonly opts: LiveSocketOptions;
  /** Bumped by stop() so a session check that finishes afterwards does nothing. */
  private generation = 0;

  constructor(opts: LiveSocketOptions) {
    this.opts = opts;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Sends a JSON frame when connected; returns false (and drops it) otherwise. */
  send(frame: unknown): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      ws.close();
    }
    this.opts.onStatus?.('closed');
  }

  private connect(): void {
    if (this.stopped) return;
    this.opts.onStatus?.('connecting');
    const url = this.opts.url ?? wsUrl();
    let ws: WebSocket;
    try {
      ws = this.opts.createSocket ? this.opts.createSocket(url) : new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    const now = this.opts.now ?? Date.now;
    let openedAt: number | null = null;
    let sessionEndHinted = false;
    ws.onopen = () => {
      openedAt = now();
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.opts.onStatus?.('open');
      if (reconnected) this.opts.onReconnect?.();
    };
    ws.onmessage = (msg) => {
      const ev = parseLiveEvent(msg.data);
      if (!ev) return;
      if (isSessionEndEvent(ev)) sessionEndHinted = true;
      this.opts.onEvent(ev);
    };
    ws.onclose = (ev?: { code?: number }) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.opts.onStatus?.('closed');
      const healthy = openedAt !== null && now() - openedAt >= (this.opts.minHealthyMs ?? 5_000);
      // Only a connection that stayed up resets the backoff: one that is refused or
      // dropped right after connecting keeps backing off.
      if (healthy) this.attempt = 0;
      const suspicious = !healthy || sessionEndHinted || isDeliberateClose(ev?.code);
      if (suspicious && this.opts.checkSession) void this.checkThenReconnect();
      else this.scheduleReconnect();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  /** Reconnects unless the server says the session has ended (401 from /me). */
  private async checkThenReconnect(): Promise<void> {
    const gen = this.generation;
    let result: SessionCheck = 'unknown';
    try {
      result = (await this.opts.checkSession?.()) ?? 'unknown';
    } catch {
      result = 'unknown';
    }
    if (this.stopped || gen !== this.generation) return;
    if (result === 'ended') {
      this.stop();
      this.opts.onSessionEnded?.();
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
