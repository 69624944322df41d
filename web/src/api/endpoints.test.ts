import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collectPages, departmentsApi, membersApi } from './endpoints';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
const dept = (id: string) => ({ id, name: `D${id}`, parent_id: null, order: 0, leader_ids: [], visibility: { mode: 'all', department_ids: [] } });

describe('collectPages', () => {
  it('follows next_cursor until it runs out', async () => {
    const pages: Record<string, { items: number[]; next_cursor?: string | null }> = {
      '': { items: [1, 2], next_cursor: 'a' },
      a: { items: [3], next_cursor: 'b' },
      b: { items: [4], next_cursor: null },
    };
    const seen: (string | undefined)[] = [];
    const all = await collectPages(async (c) => {
      seen.push(c);
      return pages[c ?? ''];
    });
    expect(all).toEqual([1, 2, 3, 4]);
    expect(seen).toEqual([undefined, 'a', 'b']);
  });

  it('stops on a repeated cursor and at the page cap', async () => {
    const fetchPage = vi.fn(async () => ({ items: [0], next_cursor: 'same' }));
    expect(await collectPages(fetchPage)).toEqual([0, 0]);
    const endless = vi.fn(async (c?: string) => ({ items: [1], next_cursor: `${Number(c ?? 0) + 1}` }));
    expect(await collectPages(endless, 5)).toHaveLength(5);
  });
});

describe('paged list endpoints', () => {
  const fetchMock = vi.fn();
  beforeEach(() => {
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
    vi.stubGlobal('document', { cookie: '' });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('departmentsApi.list loads every page', async () => {
    fetchMock
      .mockResolvedValueOnce(json({ items: [dept('1'), dept('2')], next_cursor: 'c2' }))
      .mockResolvedValueOnce(json({ items: [dept('3')], next_cursor: null }));
    const res = await departmentsApi.list();
    expect(res.items.map((d) => d.id)).toEqual(['1', '2', '3']);
    expect(res.next_cursor).toBeNull();
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/departments?limit=1000');
    expect(fetchMock.mock.calls[1][0]).toBe('/api/v1/departments?cursor=c2&limit=1000');
  });

  it('membersApi.listAll keeps its filters on every page', async () => {
    fetchMock
      .mockResolvedValueOnce(json({ items: [{ id: 'm1' }], next_cursor: 'x' }))
      .mockResolvedValueOnce(json({ items: [{ id: 'm2' }] }));
    const all = await membersApi.listAll({ department_id: '9' });
    expect(all.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(fetchMock.mock.calls[1][0]).toBe('/api/v1/members?limit=200&department_id=9&cursor=x');
  });
});
