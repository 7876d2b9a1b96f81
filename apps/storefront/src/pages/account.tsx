// Account: sign up and log in. Both send the shopper back where they were (the checkout, say) afterwards.
import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Alert } from '../components/bits.tsx';
import { Field, TextField } from '../components/field.tsx';
import { Link } from '../components/link.tsx';
import type { Rate } from '../lib/api.ts';
import {
  ApiError,
  fieldErrors,
  friendlyMessage,
  normalisePhone,
  type Problem,
  WALLET_PATTERN,
} from '../lib/problems.ts';
import { loginPath, signupPath } from '../lib/routes.ts';
import { api, logIn, markReady, navigate, showNotice, useAppState, useTitle } from '../state.ts';

const asProblem = (e: unknown): Problem => (e instanceof ApiError ? e.problem : { status: 0, code: 'NETWORK' });

function focusFirstInvalid(form: HTMLFormElement | null) {
  form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

function useAlreadySignedIn(next: string) {
  const session = useAppState((s) => s.session);
  useEffect(() => markReady(), []);
  return session ? next : null;
}

type AccountFormProps = {
  title: string;
  /** Where to continue when the shopper is signed in already. */
  already: string | null;
  failure: string | null;
  /** Counts failed submits, so the same failure takes the focus again. */
  attempt: number;
  form: RefObject<HTMLFormElement | null>;
  onSubmit: (event: Event) => void;
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
  /** The line under the card, pointing to the other form. */
  footer: ComponentChildren;
  children: ComponentChildren;
};

/** AccountForm: the page both account forms share: heading, notices, the card with its fields and submit button. */
function AccountForm(props: AccountFormProps) {
  const { title, already, failure, attempt, form, onSubmit, busy, submitLabel, busyLabel, footer, children } = props;
  return (
    <div class="narrow">
      <h1>{title}</h1>
      {already && (
        <Alert kind="info">
          You are logged in. <Link href={already}>Continue</Link>
        </Alert>
      )}
      {failure && <Alert focusOn={attempt}>{failure}</Alert>}
      <form ref={form} class="card form-card" onSubmit={onSubmit} noValidate>
        {children}
        <button type="submit" class="button button--large button--block" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
      </form>
      <p class="center">{footer}</p>
    </div>
  );
}

export function LogIn({ next }: { next: string }) {
  useTitle('Log in');
  const already = useAlreadySignedIn(next);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (errors.email || errors.password) focusFirstInvalid(form.current);
  }, [errors]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!email.trim()) found.email = 'Enter your email address.';
    if (!password) found.password = 'Enter your password.';
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      const session = await logIn(email.trim(), password);
      showNotice({ kind: 'success', text: `Welcome back, ${session.user.name}.` });
      navigate(next, { replace: true });
    } catch (e) {
      const problem = asProblem(e);
      setErrors(fieldErrors(problem));
      setFailure(friendlyMessage(problem));
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AccountForm
      title="Log in"
      {...{ already, failure, attempt, form, busy }}
      onSubmit={submit}
      submitLabel="Log in"
      busyLabel="Logging in…"
      footer={
        <>
          New to Bazaar? <Link href={signupPath(next)}>Create an account</Link>
        </>
      }
    >
      <TextField
        id="login-email"
        label="Email"
        error={errors.email}
        name="email"
        type="email"
        autocomplete="username"
        required
        value={email}
        onInput={(e) => setEmail(e.currentTarget.value)}
      />
      <TextField
        id="login-password"
        label="Password"
        error={errors.password}
        name="password"
        type="password"
        autocomplete="current-password"
        required
        value={password}
        onInput={(e) => setPassword(e.currentTarget.value)}
      />
    </AccountForm>
  );
}

export function SignUp({ next }: { next: string }) {
  useTitle('Create an account');
  const already = useAlreadySignedIn(next);
  const [values, setValues] = useState({ name: '', email: '', password: '', phone: '', city: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const [rates, setRates] = useState<Rate[]>([]);
  const form = useRef<HTMLFormElement>(null);
  const set = (key: keyof typeof values) => (e: { currentTarget: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.currentTarget.value }));

  useEffect(() => {
    api.rates().then(
      (r) => setRates(r.items),
      () => setRates([]),
    );
  }, []);
  useEffect(() => {
    if (Object.keys(errors).length) focusFirstInvalid(form.current);
  }, [errors]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    const phone = normalisePhone(values.phone);
    if (!values.name.trim()) found.name = 'Enter your name.';
    if (!/^\S+@\S+\.\S+$/.test(values.email.trim())) found.email = 'Enter an email address like name@example.pk.';
    if (values.password.length < 8) found.password = 'Use at least 8 characters.';
    if (phone && !WALLET_PATTERN.test(phone))
      found.phone = 'Enter an 11-digit mobile number starting 03, like 03001234567.';
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await api.signUp({
        name: values.name.trim(),
        email: values.email.trim(),
        password: values.password,
        ...(phone ? { phone } : {}),
        ...(values.city ? { city: values.city } : {}),
      });
      const session = await logIn(values.email.trim(), values.password);
      showNotice({ kind: 'success', text: `Welcome to Bazaar, ${session.user.name}! Your account is ready.` });
      navigate(next, { replace: true });
    } catch (e) {
      const problem = asProblem(e);
      const fromApi = fieldErrors(problem);
      if (problem.code === 'EMAIL_TAKEN') fromApi.email = 'An account with this email already exists.';
      setErrors(fromApi);
      setFailure(friendlyMessage(problem));
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AccountForm
      title="Create an account"
      {...{ already, failure, attempt, form, busy }}
      onSubmit={submit}
      submitLabel="Create account"
      busyLabel="Creating your account…"
      footer={
        <>
          Already have an account? <Link href={loginPath(next)}>Log in</Link>
        </>
      }
    >
      <TextField
        id="signup-name"
        label="Full name"
        error={errors.name}
        name="name"
        autocomplete="name"
        required
        maxLength={100}
        value={values.name}
        onInput={set('name')}
      />
      <TextField
        id="signup-email"
        label="Email"
        error={errors.email}
        name="email"
        type="email"
        autocomplete="email"
        required
        value={values.email}
        onInput={set('email')}
      />
      <TextField
        id="signup-password"
        label="Password"
        hint="At least 8 characters."
        error={errors.password}
        name="password"
        type="password"
        autocomplete="new-password"
        required
        minLength={8}
        value={values.password}
        onInput={set('password')}
      />
      <TextField
        id="signup-phone"
        label="Mobile number (optional)"
        hint="For delivery: 11 digits starting 03."
        error={errors.phone}
        name="phone"
        type="tel"
        inputMode="tel"
        autocomplete="tel-national"
        placeholder="03001234567"
        value={values.phone}
        onInput={set('phone')}
      />
      <Field id="signup-city" label="City (optional)" error={errors.city}>
        {(describedBy, invalid) => (
          <select
            id="signup-city"
            name="city"
            autocomplete="address-level2"
            value={values.city}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={set('city')}
          >
            <option value="">Choose later</option>
            {rates.map((r) => (
              <option key={r.city} value={r.city}>
                {r.city}
              </option>
            ))}
          </select>
        )}
      </Field>
    </AccountForm>
  );
}
