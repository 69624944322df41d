// Opens the live WebSocket while signed in and exposes a "directory version"
// that bumps whenever the server announces a directory.* change.
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { notifyUnauthorized } from '../api/client';
import { meApi } from '../api/endpoints';
import { isDirectoryEvent, LiveSocket, probeSession, type LiveEvent, type LiveStatus } from '../lib/live';
import { useSession } from './session';

type Listener = (e: LiveEvent) => void;

interface LiveValue {
  status: LiveStatus;
  directoryVersion: number;
  subscribe: (fn: Listener) => () => void;
  /** Sends a frame on the socket when it is open (false otherwise). */
  send: (frame: unknown) => boolean;
}

const LiveContext = createContext<LiveValue>({
  status: 'closed',
  directoryVersion: 0,
  subscribe: () => () => {},
  send: () => false,
});

export function LiveProvider({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const memberId = me?.member.id ?? null;
  const [status, setStatus] = useState<LiveStatus>('closed');
  const [directoryVersion, setDirectoryVersion] = useState(0);
  const listeners = useRef(new Set<Listener>());
  const socket = useRef<LiveSocket | null>(null);

  useEffect(() => {
    if (!memberId) return;
    const sock = new LiveSocket({
      onEvent: (e) => {
        if (isDirectoryEvent(e)) setDirectoryVersion((v) => v + 1);
        listeners.current.forEach((fn) => fn(e));
      },
      onStatus: setStatus,
      // Events may have been missed while disconnected: refetch.
      onReconnect: () => setDirectoryVersion((v) => v + 1),
      // A refused or server-closed socket may mean the session was revoked.
      checkSession: () => probeSession(() => meApi.get({ skipAuthRedirect: true })),
      onSessionEnded: () => notifyUnauthorized(),
    });
    socket.current = sock;
    sock.start();
    return () => {
      sock.stop();
      if (socket.current === sock) socket.current = null;
    };
  }, [memberId]);

  const value = useMemo<LiveValue>(
    () => ({
      status,
      directoryVersion,
      subscribe: (fn) => {
        listeners.current.add(fn);
        return () => listeners.current.delete(fn);
      },
      send: (frame) => socket.current?.send(frame) ?? false,
    }),
    [status, directoryVersion],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveValue {
  return useContext(LiveContext);
}
