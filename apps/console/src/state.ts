// state: the admin's session, navigation within /console, and the hooks pages read them with.
import { browserStorage } from '@bazaar/web-kit/stored-session';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, createApi } from './lib/api.ts';
import { loadSession, type Session, saveSession } from './lib/session.ts';

const storage = browserStorage('sessionStorage');

let session: Session | null = loadSession(storage);
let notice = '';
const listeners = new Set<() => void>();
const changed = () => {
  for (const listener of listeners) listener();
};

function setSession(next: Session | null) {
  session = next;
  saveSession(storage, next);
  changed();
}

export const api = createApi({
  token: () => session?.token,
  onUnauthenticated: () => {
    if (!session) return;
    notice = 'Your session has ended. Please log in again.';
    setSession(null);
  },
});

/** logIn signs in and keeps the session only for an admin: the console's data is theirs alone. */
export async function logIn(email: string, password: string): Promise<void> {
  const login = await api.logIn(email, password);
  const me = await api.me(login.accessToken);
  if (me.role !== 'admin')
    throw new ApiError({
      status: 403,
      code: 'FORBIDDEN',
      detail: 'This account is not an admin. The console is for admins only.',
    });
  notice = '';
  setSession({
    token: login.accessToken,
    expiresAt: Date.now() + login.expiresIn * 1000,
    name: me.name,
    email: me.email,
  });
}

export function logOut() {
  notice = '';
  setSession(null);
}

/** useSession re-renders when the admin logs in or out (or the session ends). */
export function useSession(): { session: Session | null; notice: string } {
  const [, tick] = useState(0);
  useEffect(() => {
    const listener = () => tick((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return { session, notice };
}

/** navigate moves within the console without reloading; the page's heading then takes the focus. */
export function navigate(path: string) {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useLocation(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  return path;
}

export type Polled<T> = {
  data: T | undefined;
  error: ApiError | undefined;
  updatedAt: number | undefined;
  refresh(): void;
};

/**
 * usePoll loads now, then again `everyMs` after each answer (never two at once), while `live` holds and the tab is
 * visible; the last good data stays on screen while a refresh fails.
 */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, keys: unknown[] = [], live = true): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; updatedAt?: number }>({});
  const [nudge, setNudge] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // What the last run of the effect was for: pausing alone must not load once more.
  const last = useRef<{ keys: unknown[]; nudge: number } | undefined>(undefined);
  useEffect(() => {
    const same = last.current?.nudge === nudge && last.current.keys.every((k, i) => Object.is(k, keys[i]));
    last.current = { keys, nudge };
    if (!live && same) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (stopped) return;
      if (document.visibilityState === 'hidden' && nudge === 0) {
        timer = setTimeout(run, everyMs);
        return;
      }
      try {
        const data = await loadRef.current();
        if (!stopped) setState({ data, error: undefined, updatedAt: Date.now() });
      } catch (err) {
        if (!stopped)
          setState((s) => ({
            ...s,
            error: err instanceof ApiError ? err : new ApiError({ status: 0, code: 'ERROR', detail: String(err) }),
          }));
      }
      if (!stopped && live && everyMs > 0) timer = setTimeout(run, everyMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [...keys, live, nudge]);
  return {
    ...state,
    data: state.data,
    error: state.error,
    updatedAt: state.updatedAt,
    refresh: () => setNudge((n) => n + 1),
  };
}
