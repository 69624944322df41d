import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { setUnauthorizedHandler } from './api/client';
import { setupApi } from './api/endpoints';
import { Loading } from './components/States';
import { useSession } from './state/session';
import { LiveProvider } from './state/live';
import { DirectoryProvider } from './state/directory';
import { ChatProvider } from './chat/ChatProvider';
import { SetupPage } from './pages/SetupPage';
import { LoginPage } from './pages/LoginPage';
import { ChangePasswordPage } from './pages/ChangePasswordPage';
import { MainShell } from './shell/MainShell';
import { MessagesPage } from './pages/messages/MessagesPage';
import { ContactsPage } from './pages/contacts/ContactsPage';
import { WorkbenchPage } from './pages/workbench/WorkbenchPage';
import { MePage } from './pages/me/MePage';
import { AdminLayout } from './admin/AdminLayout';
import { MembersAdmin } from './admin/members/MembersAdmin';
import { DepartmentsAdmin } from './admin/departments/DepartmentsAdmin';
import { AdminsAdmin } from './admin/AdminsAdmin';
import { AuditLog } from './admin/AuditLog';
import { ApprovalsHome } from './approvals/ApprovalsHome';
import { NewRequest } from './approvals/NewRequest';
import { RequestDetail } from './approvals/RequestDetail';
import { ApprovalsAdmin } from './admin/approvals/ApprovalsAdmin';
import { TemplateDesigner } from './admin/approvals/TemplateDesigner';

/** Decides between setup / login / app on first load and on 401s. */
function useBoot() {
  const navigate = useNavigate();
  const { refresh, setMe } = useSession();
  const [ready, setReady] = useState(false);
  const [needsSetup, setNeedsSetup] = useState(false);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setMe(null);
      const here = window.location.pathname + window.location.search;
      const next = here.startsWith('/login') || here.startsWith('/setup') ? '' : `?next=${encodeURIComponent(here)}`;
      navigate(`/login${next}`, { replace: true });
    });
    return () => setUnauthorizedHandler(null);
  }, [navigate, setMe]);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      let needsSetup = false;
      try {
        needsSetup = (await setupApi.status()).needs_setup;
      } catch {
        /* server unreachable: fall through to the session probe */
      }
      if (cancelled) return;
      if (needsSetup) {
        setNeedsSetup(true);
        setReady(true);
        return;
      }
      await refresh();
      if (!cancelled) setReady(true);
    })();
    return () => {
      cancelled = true;
    };
    // run once on load
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return { ready, needsSetup, setupDone: () => setNeedsSetup(false) };
}

/** Routes that need a signed-in user (and a changed password). */
function RequireAuth({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const location = useLocation();
  if (!me) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (me.must_change_password) return <Navigate to="/change-password" replace />;
  return <>{children}</>;
}

function SignedIn({ children }: { children: ReactNode }) {
  return (
    <RequireAuth>
      <LiveProvider>
        <DirectoryProvider>
          <ChatProvider>{children}</ChatProvider>
        </DirectoryProvider>
      </LiveProvider>
    </RequireAuth>
  );
}

export function AppRoutes() {
  const { ready, needsSetup, setupDone } = useBoot();
  if (!ready) return <Loading />;
  if (needsSetup) {
    return (
      <Routes>
        <Route path="/setup" element={<SetupPage onDone={setupDone} />} />
        <Route path="*" element={<Navigate to="/setup" replace />} />
      </Routes>
    );
  }
  return (
    <Routes>
      <Route path="/setup" element={<SetupPage />} />
      <Route path="/login" element={<LoginPage />} />
      <Route path="/change-password" element={<ChangePasswordPage />} />
      <Route
        path="/admin"
        element={
          <SignedIn>
            <AdminLayout />
          </SignedIn>
        }
      >
        <Route index element={<Navigate to="members" replace />} />
        <Route path="members" element={<MembersAdmin />} />
        <Route path="departments" element={<DepartmentsAdmin />} />
        <Route path="admins" element={<AdminsAdmin />} />
        <Route path="audit" element={<AuditLog />} />
        <Route path="approvals" element={<ApprovalsAdmin />} />
        <Route path="approvals/templates/:templateId" element={<TemplateDesigner />} />
      </Route>
      <Route
        element={
          <SignedIn>
            <MainShell />
          </SignedIn>
        }
      >
        <Route index element={<Navigate to="/messages" replace />} />
        <Route path="/messages" element={<MessagesPage />} />
        <Route path="/contacts" element={<ContactsPage />} />
        <Route path="/workbench" element={<WorkbenchPage />} />
        <Route path="/workbench/approvals" element={<ApprovalsHome />} />
        <Route path="/workbench/approvals/new/:templateId" element={<NewRequest />} />
        <Route path="/workbench/approvals/:requestId" element={<RequestDetail />} />
        <Route path="/me" element={<MePage />} />
      </Route>
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  );
}
