// Current user, organization and settings, loaded from GET /api/v1/me.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { authApi, meApi } from '../api/endpoints';
import type { MeResponse, Settings, SettingsPatch } from '../api/types';
import { useI18n } from '../i18n/I18nProvider';
import { normalizeLocale } from '../i18n';

export type FontSize = 'small' | 'standard' | 'large';
export const FONT_PX: Record<FontSize, number> = { small: 13, standard: 14, large: 16 };

interface SessionValue {
  me: MeResponse | null;
  /** true until the first /me probe has finished */
  loading: boolean;
  fontSize: FontSize;
  refresh: () => Promise<MeResponse | null>;
  setMe: (me: MeResponse | null) => void;
  updateSettings: (patch: SettingsPatch) => Promise<Settings>;
  logout: () => Promise<void>;
  isAdmin: boolean;
}

const SessionContext = createContext<SessionValue | null>(null);

export function normalizeFontSize(v: unknown): FontSize {
  return v === 'small' || v === 'large' ? v : 'standard';
}

export function applyFontSize(size: FontSize): void {
  const root = document.documentElement;
  root.style.setProperty('--huddle-font-size', `${FONT_PX[size]}px`);
  root.style.fontSize = `${FONT_PX[size]}px`;
  root.dataset.fontSize = size;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const { setLocale } = useI18n();
  const [me, setMeState] = useState<MeResponse | null>(null);
  const [loading, setLoading] = useState(true);
  const [fontSize, setFontSize] = useState<FontSize>(
    () => normalizeFontSize(globalThis.localStorage?.getItem('huddle.fontSize')),
  );

  const applySettings = useCallback(
    (s: Partial<Settings> | undefined) => {
      const locale = normalizeLocale(s?.locale);
      if (locale) setLocale(locale);
      if (s?.font_size) {
        const f = normalizeFontSize(s.font_size);
        globalThis.localStorage?.setItem('huddle.fontSize', f);
        setFontSize(f);
      }
    },
    [setLocale],
  );

  const setMe = useCallback(
    (m: MeResponse | null) => {
      setMeState(m);
      if (m) applySettings(m.settings);
    },
    [applySettings],
  );

  const refresh = useCallback(async () => {
    try {
      const m = await meApi.get({ skipAuthRedirect: true });
      setMe(m);
      return m;
    } catch {
      setMeState(null);
      return null;
    } finally {
      setLoading(false);
    }
  }, [setMe]);

  const updateSettings = useCallback(
    async (patch: SettingsPatch) => {
      applySettings(patch as Partial<Settings>);
      const saved = await meApi.updateSettings(patch);
      setMeState((m) => (m ? { ...m, settings: { ...m.settings, ...saved } } : m));
      return saved;
    },
    [applySettings],
  );

  const logout = useCallback(async () => {
    try {
      await authApi.logout();
    } finally {
      setMeState(null);
    }
  }, []);

  useEffect(() => {
    applyFontSize(fontSize);
  }, [fontSize]);

  const value = useMemo<SessionValue>(
    () => ({
      me,
      loading,
      fontSize,
      refresh,
      setMe,
      updateSettings,
      logout,
      isAdmin: me?.member.role === 'admin' || me?.member.role === 'super_admin',
    }),
    [me, loading, fontSize, refresh, setMe, updateSettings, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
