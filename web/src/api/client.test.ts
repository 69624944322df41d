import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, buildUrl, isApiError, notifyUnauthorized, parseError, parseRetryAfter, readCookie, setUnauthorizedHandler } from './client';

/** Resolves with the ApiError a call rejects with. */
const fail = (p: Promise<unknown>): Promise<ApiError> =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: ApiError) => e,
  );

const json = (status: number, body: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('huddle_csrf', 'a=1; huddle_csrf=abc%3D; b=2')).toBe('abc=');
    expect(readCookie('huddle_csrf', 'a=1')).toBeNull();
    expect(readCookie('huddle_csrf', '')).toBeNull();
  });
});

describe('buildUrl', () => {
  it('skips empty query values', () => {
    expect(buildUrl('/x', { a: 'b', c: undefined, d: null, e: '', n: 5 })).toBe('/x?a=b&n=5');
    expect(buildUrl('/x')).toBe('/x');
    expect(buildUrl('/x', {})).toBe('/x');
    expect(buildUrl('/s', { q: '张 三' })).toBe('/s?q=%E5%BC%A0+%E4%B8%89');
  });
});

describe('parseError', () => {
  it('reads the server error body', async () => {
    const e = await parseError(json(409, { error: { code: 'department_not_empty', message: 'Not empty', field: 'id' } }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(409);
    expect(e.code).toBe('department_not_empty');
    expect(e.message).toBe('Not empty');
    expect(e.field).toBe('id');
  });

  it('reads Retry-After (seconds or HTTP date)', async () => {
    const res = new Response(JSON.stringify({ error: { code: 'too_many_attempts', message: 'Wait' } }), {
      status: 429,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '120' },
    });
    const e = await parseError(res);
    expect(e.retryAfter).toBe(120);
    expect((await parseError(json(400, { error: { code: 'x', message: 'y' } }))).retryAfter).toBeNull();
    expect(parseRetryAfter(' 7 ')).toBe(7);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });

  it('falls back for non-JSON bodies', async () => {
    const e = await parseError(new Response('Bad Gateway', { status: 502, statusText: 'Bad Gateway' }));
    expect(e.status).toBe(502);
    expect(e.code).toBe('http_502');
    expect(e.message).toBe('Bad Gateway');
    const empty = await parseError(new Response(null, { status: 500 }));
    expect(empty.message).toMatch(/500/);
  });
});

describe('request', () => {
  const fetchMock = vi.fn();
  beforeEach(() => {
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
    vi.stubGlobal('document', { cookie: 'huddle_csrf=tok123; other=x' });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setUnauthorizedHandler(null);
  });

  it('GET sends cookies but no CSRF header', async () => {
    fetchMock.mockResolvedValue(json(200, { needs_setup: false }));
    const res = await api.get<{ needs_setup: boolean }>('/api/v1/setup');
    expect(res.needs_setup).toBe(false);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/v1/setup');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers['X-CSRF-Token']).toBeUndefined();
  });

  it('writes send the CSRF token and a JSON body', async () => {
    fetchMock.mockResolvedValue(json(201, { id: '1' }));
    await api.post('/api/v1/departments', { name: 'x' });
    const [, init] = fetchMock.mock.calls[0];
    expect(init.method).toBe('POST');
    expect(init.headers['X-CSRF-Token']).toBe('tok123');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body)).toEqual({ name: 'x' });
  });

  it('returns undefined for 204', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
    await expect(api.del('/api/v1/members/1')).resolves.toBeUndefined();
  });

  it('throws a typed ApiError and calls the 401 handler', async () => {
    const onUnauth = vi.fn();
    setUnauthorizedHandler(onUnauth);
    fetchMock.mockResolvedValue(json(401, { error: { code: 'unauthenticated', message: 'Sign in' } }));
    const err = await fail(api.get('/api/v1/me'));
    expect(isApiError(err)).toBe(true);
    expect(err.isUnauthorized).toBe(true);
    expect(onUnauth).toHaveBeenCalledTimes(1);
  });

  it('does not redirect when asked not to (login form)', async () => {
    const onUnauth = vi.fn();
    setUnauthorizedHandler(onUnauth);
    fetchMock.mockResolvedValue(json(401, { error: { code: 'invalid_credentials', message: 'Wrong login or password' } }));
    const err = await fail(api.post('/api/v1/auth/login', {}, { skipAuthRedirect: true }));
    expect(err.code).toBe('invalid_credentials');
    expect(onUnauth).not.toHaveBeenCalled();
  });

  it('flags rate limiting', async () => {
    fetchMock.mockResolvedValue(json(429, { error: { code: 'too_many_attempts', message: 'Slow down' } }));
    const err = await fail(api.post('/api/v1/auth/login', {}, { skipAuthRedirect: true }));
    expect(err.isRateLimited).toBe(true);
    expect(err.message).toBe('Slow down');
  });

  it('notifyUnauthorized runs the registered 401 handler', () => {
    const onUnauth = vi.fn();
    setUnauthorizedHandler(onUnauth);
    notifyUnauthorized();
    expect(onUnauth).toHaveBeenCalledTimes(1);
    expect(onUnauth.mock.calls[0][0].status).toBe(401);
    setUnauthorizedHandler(null);
    expect(() => notifyUnauthorized()).not.toThrow();
  });

  it('wraps network failures', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    const err = await fail(api.get('/api/v1/me'));
    expect(err.code).toBe('network_error');
    expect(err.status).toBe(0);
  });
});
