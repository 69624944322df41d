// Member and department pickers used by approval forms, the action bar and the designer.
import { Select, TreeSelect } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { directoryApi, membersApi } from '../api/endpoints';
import { deptTreeSelect } from '../admin/deptOptions';
import { useT } from '../i18n/I18nProvider';
import { useDebounced } from '../lib/useDebounce';
import { useDirectory } from '../state/directory';

const nameCache = new Map<string, string>();
/** Remembers names seen in API answers so pickers can label chosen ids. */
export function rememberNames(people: { id: string; name: string }[]): void {
  for (const p of people) nameCache.set(p.id, p.name);
}

/** Resolves member names for ids not seen yet (one GET per unknown id). */
function useMemberNames(ids: string[]): (id: string) => string {
  const [, bump] = useState(0);
  const key = ids.join(',');
  useEffect(() => {
    const missing = ids.filter((id) => !nameCache.has(id));
    if (!missing.length) return;
    let cancelled = false;
    Promise.all(missing.map((id) => membersApi.get(id).then((m) => nameCache.set(m.id, m.name), () => nameCache.set(id, id)))).then(
      () => !cancelled && bump((n) => n + 1),
    );
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return (id) => nameCache.get(id) ?? id;
}

export function MemberSelect({
  value,
  onChange,
  multiple,
  placeholder,
  testId,
  status,
  exclude = [],
  id,
}: {
  value: string[];
  onChange: (ids: string[]) => void;
  multiple?: boolean;
  placeholder?: string;
  testId?: string;
  status?: 'error';
  exclude?: string[];
  id?: string;
}) {
  const t = useT();
  const [q, setQ] = useState('');
  const dq = useDebounced(q, 200);
  const [found, setFound] = useState<{ id: string; name: string; sub: string }[]>([]);
  const nameOf = useMemberNames(value);
  useEffect(() => {
    const ctl = new AbortController();
    const query = dq.trim();
    const load = query ? directoryApi.search(query, 30, ctl.signal).then((r) => r.items) : membersApi.list({ limit: 50, status: 'active' }).then((r) => r.items);
    load.then(
      (items) => {
        if (ctl.signal.aborted) return;
        rememberNames(items);
        setFound(items.map((m) => ({ id: m.id, name: m.name, sub: m.position || m.employee_id || '' })));
      },
      () => undefined,
    );
    return () => ctl.abort();
  }, [dq]);
  const options = useMemo(() => {
    const seen = new Set<string>();
    const out: { value: string; label: string; title?: string }[] = [];
    for (const id of value) {
      seen.add(id);
      out.push({ value: id, label: nameOf(id) });
    }
    for (const m of found) {
      if (seen.has(m.id) || exclude.includes(m.id)) continue;
      out.push({ value: m.id, label: m.name, title: m.sub });
    }
    return out;
  }, [value, found, nameOf, exclude]);
  return (
    <Select
      id={id}
      mode={multiple ? 'multiple' : undefined}
      showSearch
      allowClear
      filterOption={false}
      onSearch={setQ}
      searchValue={q}
      value={multiple ? value : (value[0] ?? undefined)}
      onChange={(v: string | string[] | undefined) => {
        setQ('');
        onChange(Array.isArray(v) ? v : v ? [v] : []);
      }}
      options={options}
      optionRender={(o) => (
        <span data-testid="member-option" data-name={String(o.label)}>
          {o.label} {o.data.title ? <span className="hd-muted">· {o.data.title}</span> : null}
        </span>
      )}
      placeholder={placeholder ?? t('ap.searchPeople')}
      style={{ width: '100%' }}
      status={status}
      data-testid={testId}
    />
  );
}

export function DeptSelect({
  value,
  onChange,
  multiple,
  testId,
  status,
  id,
}: {
  value: string[];
  onChange: (ids: string[]) => void;
  multiple?: boolean;
  testId?: string;
  status?: 'error';
  id?: string;
}) {
  const t = useT();
  const { tree } = useDirectory();
  const data = useMemo(() => deptTreeSelect(tree), [tree]);
  return (
    <TreeSelect
      id={id}
      treeData={data}
      multiple={multiple}
      treeDefaultExpandAll
      showSearch
      treeNodeFilterProp="title"
      allowClear
      value={multiple ? value : (value[0] ?? undefined)}
      onChange={(v: string | string[] | undefined) => onChange(Array.isArray(v) ? v : v ? [v] : [])}
      placeholder={t('ap.form.pleaseSelect')}
      style={{ width: '100%' }}
      status={status}
      data-testid={testId}
    />
  );
}

/** Names of people from an API answer's `people`, with the cache as a fallback. */
export function peopleNames(people: { id: string; name: string }[] | undefined): (id: string) => string {
  const m = new Map((people ?? []).map((p) => [p.id, p.name]));
  return (id) => m.get(id) ?? nameCache.get(id) ?? id;
}

/** Member names for ids, looked up once and cached. */
export function MemberNames({ ids }: { ids: string[] }) {
  const nameOf = useMemberNames(ids);
  return <span data-testid="member-names">{ids.length ? ids.map(nameOf).join('、') : '—'}</span>;
}
