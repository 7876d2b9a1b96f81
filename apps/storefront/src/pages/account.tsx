// Account: sign up and log in. Both send the shopper back where they were (the checkout, say) afterwards.
import { useEffect, useState } from 'preact/hooks';
import { AccountForm, useAccountSubmit } from '../components/account-form.tsx';
import { CityField, PhoneField, useCityNames } from '../components/contact-fields.tsx';
import { TextField } from '../components/field.tsx';
import { Link } from '../components/link.tsx';
import { normalisePhone, PHONE_HINT, WALLET_PATTERN } from '../lib/problems.ts';
import { loginPath, signupPath } from '../lib/routes.ts';
import { api, logIn, markReady, navigate, showNotice, useAppState, useTitle } from '../state.ts';

function useAlreadySignedIn(next: string) {
  const session = useAppState((s) => s.session);
  useEffect(() => markReady(), []);
  return session ? next : null;
}

export function LogIn({ next }: { next: string }) {
  useTitle('Log in');
  const already = useAlreadySignedIn(next);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { errors, submission } = useAccountSubmit(
    () => {
      const found: Record<string, string> = {};
      if (!email.trim()) found.email = 'Enter your email address.';
      if (!password) found.password = 'Enter your password.';
      return found;
    },
    async () => {
      const session = await logIn(email.trim(), password);
      showNotice({ kind: 'success', text: `Welcome back, ${session.user.name}.` });
      navigate(next, { replace: true });
    },
  );

  return (
    <AccountForm
      title="Log in"
      already={already}
      {...submission}
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
  const cities = useCityNames();
  const phone = normalisePhone(values.phone);
  const set = (key: keyof typeof values) => (e: { currentTarget: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.currentTarget.value }));

  const { errors, submission } = useAccountSubmit(
    () => {
      const found: Record<string, string> = {};
      if (!values.name.trim()) found.name = 'Enter your name.';
      if (!/^\S+@\S+\.\S+$/.test(values.email.trim())) found.email = 'Enter an email address like name@example.pk.';
      if (values.password.length < 8) found.password = 'Use at least 8 characters.';
      if (phone && !WALLET_PATTERN.test(phone)) found.phone = PHONE_HINT;
      return found;
    },
    async () => {
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
    },
    (problem, fromApi) => {
      if (problem.code === 'EMAIL_TAKEN') fromApi.email = 'An account with this email already exists.';
    },
  );

  return (
    <AccountForm
      title="Create an account"
      already={already}
      {...submission}
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
      <PhoneField
        id="signup-phone"
        hint="For delivery: 11 digits starting 03."
        error={errors.phone}
        value={values.phone}
        onInput={set('phone')}
      />
      <CityField
        id="signup-city"
        none="Choose later"
        cities={cities}
        error={errors.city}
        value={values.city}
        onInput={set('city')}
      />
    </AccountForm>
  );
}
