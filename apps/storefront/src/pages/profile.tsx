// Profile: the signed-in shopper's name, mobile number and city, which checkout starts from; a shopper who moves
// changes them here (PATCH /api/users/me). Email and role are not the shopper's to change.
import { useEffect, useState } from 'preact/hooks';
import { AccountForm, useAccountSubmit } from '../components/account-form.tsx';
import { CityField, PhoneField, useCityNames } from '../components/contact-fields.tsx';
import { TextField } from '../components/field.tsx';
import { normalisePhone, PHONE_HINT, WALLET_PATTERN } from '../lib/problems.ts';
import { loginPath } from '../lib/routes.ts';
import { api, getState, markReady, navigate, showNotice, useAppState, userChanged, useTitle } from '../state.ts';

export function Profile() {
  useTitle('Your details');
  const session = useAppState((s) => s.session);
  const user = session?.user;
  const [values, setValues] = useState({ name: user?.name ?? '', phone: user?.phone ?? '', city: user?.city ?? '' });
  const cities = useCityNames();
  const set = (key: keyof typeof values) => (e: { currentTarget: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.currentTarget.value }));

  useEffect(() => {
    if (!session) {
      if (!getState().notice) showNotice({ kind: 'info', text: 'Log in to see your details.' });
      navigate(loginPath('/account'), { replace: true });
      return;
    }
    markReady();
  }, [Boolean(session)]);

  const phone = normalisePhone(values.phone);
  const { errors, submission } = useAccountSubmit(
    () => {
      const found: Record<string, string> = {};
      if (!values.name.trim()) found.name = 'Enter your name.';
      if (phone && !WALLET_PATTERN.test(phone)) found.phone = PHONE_HINT;
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
      <PhoneField
        id="profile-phone"
        hint="For delivery: 11 digits starting 03. Leave it empty to remove it."
        error={errors.phone}
        value={values.phone}
        onInput={set('phone')}
      />
      <CityField
        id="profile-city"
        none="None"
        cities={cities}
        error={errors.city}
        value={values.city}
        onInput={set('city')}
      />
    </AccountForm>
  );
}
