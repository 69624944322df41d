// Thin fetch wrapper: same-origin cookies, CSRF header on writes, typed errors.

export interface ApiErrorBody {
  error: { code: string; message: string; field?: string | null };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  /** Seconds to wait before retrying, from the Retry-After header (429 responses). */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, field: string | null = null, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }

  get isRateLimited(): boolean {
    return this.status === 429;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

export const CSRF_COOKIE = 'huddle_csrf';

export function readCookie(name: string, cookieString: string = globalThis.document?.cookie ?? ''): string | null {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      return decodeURIComponent(part.slice(eq + 1).trim());
    }
  }
  return null;
}

type UnauthorizedHandler = (err: ApiError) => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Register the app-wide reaction to a 401 (navigate to /login). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  onUnauthorized = handler;
}

/** Runs the app-wide 401 reaction, e.g. when the live socket finds the session ended. */
export function notifyUnauthorized(err: ApiError = new ApiError(401, 'unauthenticated', 'Session ended')): void {
  onUnauthorized?.(err);
}

/**
 * Seconds from a Retry-After header: either delta-seconds or an HTTP date.
 * Returns null when absent or unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Turn a failed response into an ApiError, tolerating non-JSON bodies. */
export async function parseError(res: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    /* ignore */
  }
  const retryAfter = parseRetryAfter(res.headers?.get?.('Retry-After'));
  try {
    const body = JSON.parse(text) as Partial<ApiErrorBody>;
    if (body && body.error && typeof body.error.message === 'string') {
      return new ApiError(res.status, body.error.code ?? 'error', body.error.message, body.error.field ?? null, retryAfter);
    }
  } catch {
    /* not JSON */
  }
  const fallback = text.trim() && text.length < 300 ? text.trim() : `${res.status} ${res.statusText}`.trim();
  return new ApiError(res.status, `http_${res.status}`, fallback || `HTTP ${res.status}`, null, retryAfter);
}

export interface RequestOptions {
  query?: Record<string, string | number | null | undefined>;
  body?: unknown;
  /** Do not run the global 401 handler (e.g. login form, initial session probe). */
  skipAuthRedirect?: boolean;
  signal?: AbortSignal;
  /** Extra request headers (e.g. Accept-Language for localized validation messages). */
  headers?: Record<string, string>;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', (e as Error)?.message || 'Network error');
  }
  if (!res.ok) {
    const err = await parseError(res);
    if (err.status === 401 && !opts.skipAuthRedirect && onUnauthorized) onUnauthorized(err);
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
  del: <T = void>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
};
