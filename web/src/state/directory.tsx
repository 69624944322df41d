// Departments (shared by contacts and admin) and a hook for member lists; both
// refetch when the live socket reports a directory change.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { departmentsApi, membersApi, type MemberQuery } from '../api/endpoints';
import type { Department, Member } from '../api/types';
import { buildDeptTree, type DeptNode } from '../lib/tree';
import { useLive } from './live';
import { useSession } from './session';

interface DirectoryValue {
  departments: Department[];
  tree: DeptNode[];
  loading: boolean;
  error: Error | null;
  reload: () => Promise<void>;
  deptName: (id: string | null | undefined) => string;
}

const DirectoryContext = createContext<DirectoryValue | null>(null);

export function DirectoryProvider({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const { directoryVersion } = useLive();
  const [departments, setDepartments] = useState<Department[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const res = await departmentsApi.list();
      if (mine === seq.current) {
        setDepartments(res.items);
        setError(null);
      }
    } catch (e) {
      if (mine === seq.current) setError(e as Error);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  const memberId = me?.member.id;
  useEffect(() => {
    if (memberId) void reload();
  }, [memberId, directoryVersion, reload]);

  const value = useMemo<DirectoryValue>(() => {
    const names = new Map(departments.map((d) => [d.id, d.name]));
    return {
      departments,
      tree: buildDeptTree(departments),
      loading,
      error,
      reload,
      deptName: (id) => (id ? (names.get(id) ?? '') : ''),
    };
  }, [departments, loading, error, reload]);
  return <DirectoryContext.Provider value={value}>{children}</DirectoryContext.Provider>;
}

export function useDirectory(): DirectoryValue {
  const v = useContext(DirectoryContext);
  if (!v) throw new Error('useDirectory outside DirectoryProvider');
  return v;
}

/** Members matching `query` (all pages), refetched on live directory changes. */
export function useMembers(query: MemberQuery | null) {
  const { directoryVersion } = useLive();
  const [members, setMembers] = useState<Member[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  const key = query ? JSON.stringify(query) : null;

  useEffect(() => {
    if (key === null) {
      setMembers([]);
      return;
    }
    let cancelled = false;
    setLoading(true);
    membersApi
      .listAll(JSON.parse(key) as MemberQuery)
      .then((items) => {
        if (!cancelled) {
          setMembers(items);
          setError(null);
        }
      })
      .catch((e: Error) => !cancelled && setError(e))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [key, directoryVersion, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { members, loading, error, reload, setMembers };
}
