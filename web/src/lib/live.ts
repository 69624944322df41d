// WebSocket to /api/v1/ws with exponential backoff reconnects.

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

export interface LiveSocketOptions {
  url?: string;
  onEvent: (e: LiveEvent) => void;
  onStatus?: (s: LiveStatus) => void;
  /** Called after a reconnect so listeners can catch up on missed events. */
  onReconnect?: () => void;
  createSocket?: (url: string) => WebSocket;
}

export class LiveSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private everOpened = false;
  private readonly opts: LiveSocketOptions;

  constructor(opts: LiveSocketOptions) {
    this.opts = opts;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
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
    ws.onopen = () => {
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.opts.onStatus?.('open');
      if (reconnected) this.opts.onReconnect?.();
    };
    ws.onmessage = (msg) => {
      const ev = parseLiveEvent(msg.data);
      if (ev) this.opts.onEvent(ev);
    };
    ws.onclose = () => {
      this.ws = null;
      this.opts.onStatus?.('closed');
      this.scheduleReconnect();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
