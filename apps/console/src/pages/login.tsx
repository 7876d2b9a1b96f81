// The login page: an admin's email and password; any other account is turned away.
import { useState } from 'preact/hooks';
import { PageTitle } from '../components/bits.tsx';
import { ApiError } from '../lib/api.ts';
import { logIn } from '../state.ts';

export function Login({ notice }: { notice: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!email.trim() || !password) {
      setError('Enter the admin account’s email and password.');
      document.getElementById(email.trim() ? 'login-password' : 'login-email')?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      await logIn(email.trim(), password);
    } catch (err) {
      const problem = err instanceof ApiError ? err.problem : undefined;
      setError(
        problem?.code === 'INVALID_CREDENTIALS'
          ? 'That email and password do not match an account.'
          : (problem?.detail ?? 'Logging in failed.'),
      );
      document.getElementById('login-email')?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="login card" aria-labelledby="login-title">
      <PageTitle title="Log in">
        <span id="login-title">Log in to the console</span>
      </PageTitle>
      <p class="muted">
        For Bazaar admins: service health, traces with their logs, orders, sagas, outbox and dead letters.
      </p>
      {notice && (
        <p class="notice warn" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <label for="login-email">Email</label>
        <input
          id="login-email"
          type="email"
          autocomplete="username"
          required
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
          aria-describedby={error ? 'login-error' : undefined}
          aria-invalid={error ? true : undefined}
        />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          aria-describedby={error ? 'login-error' : undefined}
          aria-invalid={error ? true : undefined}
        />
        {error && (
          <p id="login-error" class="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </section>
  );
}
