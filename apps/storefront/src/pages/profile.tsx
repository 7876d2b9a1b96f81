// Profile: the signed-in shopper's name, mobile number and city, which checkout starts from; a shopper who moves
// changes them here (PATCH /api/users/me). Email and role are not the shopper's to change.
import { useEffect, useState } from 'preact/hooks';
import { AccountForm, useAccountSubmit } from '../components/account-form.tsx';
import { Field, TextField } from '../components/field.tsx';
import type { Rate } from '../lib/api.ts';
import { normalisePhone, WALLET_PATTERN } from '../lib/problems.ts';
import { loginPath } from '../lib/routes.ts';
import { api, getState, markReady, navigate, showNotice, useAppState, userChanged, useTitle } from '../state.ts';

export function Profile() {
  useTitle('Your details');
  const session = useAppState((s) => s.session);
  const user = session?.user;
  const [values, setValues] = useState({ name: user?.name ?? '', phone: user?.phone ?? '', city: user?.city ?? '' });
  const [rates, setRates] = useState<Rate[]>([]);
  const set = (key: keyof typeof values) => (e: { currentTarget: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.currentTarget.value }));

  useEffect(() => {
    if (!session) {
      if (!getState().notice) showNotice({ kind: 'info', text: 'Log in to see your details.' });
      navigate(loginPath('/account'), { replace: true });
      return;
    }
    api.rates().then(
      (r) => setRates([...r.items].sort((a, b) => a.city.localeCompare(b.city))),
      () => setRates([]),
    );
    markReady();
  }, [Boolean(session)]);

  const phone = normalisePhone(values.phone);
  const { errors, submission } = useAccountSubmit(
    () => {
      const found: Record<string, string> = {};
      if (!values.name.trim()) found.name = 'Enter your name.';
      if (phone && !WALLET_PATTERN.test(phone))
        found.phone = 'Enter an 11-digit mobile number starting 03, like 03001234567.';
      return found;
    },
    async () => {
      // An emptied phone or city is cleared (null), not left as it was.
      const saved = await api.updateMe({ name: values.name.trim(), phone: phone || null, city: values.city || null });
      userChanged(saved);
      setValues({ name: saved.name, phone: saved.phone ?? '', city: saved.city ?? '' });
      showNotice({ kind: 'success', text: 'Your details are saved.' });
    },
  );
  if (!user) return null;

  // The city it has is offered even if shipping no longer lists it, so that saving never changes it unasked.
  const cities = rates.some((r) => r.city === values.city) || !values.city ? rates : [{ city: values.city }, ...rates];
  return (
    <AccountForm
      title="Your details"
      already={null}
      {...submission}
      submitLabel="Save"
      busyLabel="Saving…"
      footer={<>Your email, {user.email}, is how you log in; it cannot be changed here.</>}
    >
      <TextField
        id="profile-name"
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
        id="profile-phone"
        label="Mobile number (optional)"
        hint="For delivery: 11 digits starting 03. Leave it empty to remove it."
        error={errors.phone}
        name="phone"
        type="tel"
        inputMode="tel"
        autocomplete="tel-national"
        placeholder="03001234567"
        value={values.phone}
        onInput={set('phone')}
      />
      <Field id="profile-city" label="City (optional)" error={errors.city}>
        {(describedBy, invalid) => (
          <select
            id="profile-city"
            name="city"
            autocomplete="address-level2"
            value={values.city}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            onChange={set('city')}
          >
            <option value="">None</option>
            {cities.map((r) => (
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
