import { useEffect, useMemo, useState } from 'react';
import { Input, Spin } from 'antd';
import { ApartmentOutlined, RightOutlined, SearchOutlined } from '@ant-design/icons';
import { directoryApi } from '../../api/endpoints';
import type { Member } from '../../api/types';
import { EmptyState, ErrorState, Loading } from '../../components/States';
import { useT } from '../../i18n/I18nProvider';
import { useDebounced } from '../../lib/useDebounce';
import { useDirectory, useMembers } from '../../state/directory';
import { useLive } from '../../state/live';
import { flattenTree } from '../../lib/tree';
import { PageHeader } from '../../shell/PageHeader';
import { DeptTree } from './DeptTree';
import { MemberList } from './MemberList';
import { ProfileCard } from './ProfileCard';

function useSearch(q: string) {
  const { directoryVersion } = useLive();
  const [results, setResults] = useState<Member[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (!q) {
      setResults(null);
      setError(null);
      return;
    }
    const ctl = new AbortController();
    setLoading(true);
    directoryApi
      .search(q, 50, ctl.signal)
      .then((r) => {
        setResults(r.items);
        setError(null);
      })
      .catch((e: Error) => e.name !== 'AbortError' && setError(e))
      .finally(() => !ctl.signal.aborted && setLoading(false));
    return () => ctl.abort();
  }, [q, directoryVersion]);
  return { results, loading, error };
}

export function ContactsPage() {
  const t = useT();
  const { tree, departments, loading, error, reload, deptName } = useDirectory();
  const [selected, setSelected] = useState<string | null>(null);
  const [mobileMembers, setMobileMembers] = useState(false);
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 300);
  const search = useSearch(q);
  const [open, setOpen] = useState<Member | null>(null);

  // Default to the top-level department once the tree has loaded.
  const current = useMemo(
    () => (selected && departments.some((d) => d.id === selected) ? selected : (tree[0]?.dept.id ?? null)),
    [selected, departments, tree],
  );
  const memberQuery = useMemo(() => (current ? { department_id: current, status: 'active' } : null), [current]);
  const { members, loading: membersLoading, error: membersError, reload: reloadMembers } = useMembers(memberQuery);

  const children = useMemo(() => flattenTree(tree).find((n) => n.dept.id === current)?.children ?? [], [tree, current]);
  const searching = q.length > 0;
  const showMembersPane = searching || mobileMembers;

  let right;
  if (searching) {
    right = search.error ? (
      <ErrorState error={search.error} />
    ) : search.results === null ? (
      <Loading />
    ) : search.results.length === 0 ? (
      <EmptyState title={t('contacts.noResults', { q })} />
    ) : (
      <>
        <div className="hd-pane-title">
          {t('contacts.results')} {search.loading && <Spin size="small" />}
        </div>
        <MemberList members={search.results} onOpen={setOpen} testId="search-results" />
      </>
    );
  } else if (!current) {
    right = <EmptyState title={t('contacts.selectDept')} />;
  } else if (membersError) {
    right = <ErrorState error={membersError} onRetry={reloadMembers} />;
  } else {
    right = (
      <>
        <div className="hd-pane-title">
          <button type="button" className="hd-back hd-mobile-only" onClick={() => setMobileMembers(false)} aria-label={t('common.back')}>
            ‹
          </button>
          <span>{deptName(current)}</span>
          <span className="hd-muted">{t('contacts.members', { count: members.length })}</span>
          {membersLoading && <Spin size="small" />}
        </div>
        {children.length > 0 && (
          <ul className="hd-people" data-testid="sub-departments">
            {children.map((c) => (
              <li key={c.dept.id}>
                <button type="button" className="hd-person hd-subdept" onClick={() => setSelected(c.dept.id)}>
                  <span className="hd-subdept-icon" aria-hidden="true">
                    <ApartmentOutlined />
                  </span>
                  <span className="hd-person-text">
                    <span className="hd-person-name">{c.dept.name}</span>
                  </span>
                  <RightOutlined className="hd-subdept-arrow" />
                </button>
              </li>
            ))}
          </ul>
        )}
        {members.length === 0 && !membersLoading ? (
          children.length === 0 && <EmptyState title={t('contacts.noMembers')} />
        ) : (
          <MemberList members={members} onOpen={setOpen} testId="dept-members" />
        )}
      </>
    );
  }

  return (
    <div className="hd-page">
      <PageHeader title={t('nav.contacts')} />
      <div className="hd-search">
        <Input
          allowClear
          prefix={<SearchOutlined />}
          placeholder={t('contacts.search')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label={t('contacts.search')}
          data-testid="contacts-search"
        />
      </div>
      <div className={`hd-split${showMembersPane ? ' show-right' : ''}`}>
        <aside className="hd-split-left">
          <div className="hd-pane-title">{t('contacts.departments')}</div>
          {error ? (
            <ErrorState error={error} onRetry={reload} />
          ) : loading && departments.length === 0 ? (
            <Loading />
          ) : tree.length === 0 ? (
            <EmptyState title={t('contacts.noDepartments')} />
          ) : (
            <DeptTree
              tree={tree}
              selected={current}
              onSelect={(id) => {
                setSelected(id);
                setMobileMembers(true);
              }}
            />
          )}
        </aside>
        <section className="hd-split-right" aria-live="polite">
          {right}
        </section>
      </div>
      <ProfileCard member={open} onClose={() => setOpen(null)} />
    </div>
  );
}
