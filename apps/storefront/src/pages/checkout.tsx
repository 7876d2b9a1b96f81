// Checkout: where to deliver (city with its shipping fee, address, phone) and how to pay (JazzCash, EasyPaisa or
// cash on delivery), then the order is placed and the shopper follows it on its own page.
import { METHOD_NAMES } from '@bazaar/web-kit/api-types';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Alert } from '../components/bits.tsx';
import { Field, TextField } from '../components/field.tsx';
import { Link } from '../components/link.tsx';
import type { NewOrder, Rate } from '../lib/api.ts';
import { cartSubtotal } from '../lib/cart.ts';
import { createKeyKeeper } from '../lib/idempotency.ts';
import { formatPkr } from '../lib/money.ts';
import {
  ApiError,
  CNIC_HINT,
  CNIC_PATTERN,
  fieldErrors,
  friendlyMessage,
  normalisePhone,
  type PaymentMethod,
  PHONE_HINT,
  problemOf,
  WALLET_PATTERN,
} from '../lib/problems.ts';
import { loginPath, orderPath, signupPath } from '../lib/routes.ts';
import { api, cartActions, getState, markReady, navigate, showNotice, useAppState, useTitle } from '../state.ts';
import { STOCK_UNKNOWN, stockProblem, useStock } from './cart.tsx';

const methods: { value: PaymentMethod; hint: string }[] = [
  { value: 'jazzcash', hint: 'Pay now from your JazzCash mobile wallet.' },
  { value: 'easypaisa', hint: 'Pay now from your EasyPaisa mobile wallet.' },
  { value: 'cod', hint: 'Pay the courier in cash when your parcel arrives.' },
];

type Errors = Partial<Record<'city' | 'address' | 'phone' | 'wallet' | 'cnic', string>>;
const fieldOrder = ['city', 'address', 'phone', 'wallet', 'cnic'] as const;

export function Checkout() {
  useTitle('Checkout');
  const session = useAppState((s) => s.session);
  const cart = useAppState((s) => s.cart);
  const { stock, reload, unreachable } = useStock(cart);
  const [rates, setRates] = useState<Rate[] | null>(null);
  const [ratesError, setRatesError] = useState<string | null>(null);
  const [city, setCity] = useState('');
  const [address, setAddress] = useState('');
  const [phone, setPhone] = useState('');
  const [method, setMethod] = useState<PaymentMethod>('jazzcash');
  const [wallet, setWallet] = useState('');
  const [cnic, setCnic] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const keys = useMemo(() => createKeyKeeper(), []);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    api
      .rates()
      .then((r) => {
        setRates(r.items);
        markReady();
      })
      .catch((e: unknown) => setRatesError(e instanceof ApiError ? friendlyMessage(e.problem) : String(e)));
  }, []);

  // Start from what the account already knows about where the shopper lives.
  useEffect(() => {
    if (!session) return;
    if (session.user.phone) setPhone((p) => p || session.user.phone || '');
    if (session.user.city && rates?.some((r) => r.city === session.user.city))
      setCity((c) => c || session.user.city || '');
  }, [session, rates]);

  useEffect(() => {
    if (session) return;
    if (!getState().notice) showNotice({ kind: 'info', text: 'Log in or sign up to check out. Your cart is kept.' });
    navigate(loginPath('/checkout'), { replace: true });
  }, [session]);

  if (!session)
    return (
      <>
        <h1>Checkout</h1>
        <p>
          Please <Link href={loginPath('/checkout')}>log in</Link> or{' '}
          <Link href={signupPath('/checkout')}>create an account</Link> to check out. Your cart is kept.
        </p>
      </>
    );

  if (cart.lines.length === 0)
    return (
      <>
        <h1>Checkout</h1>
        <p class="empty">Your cart is empty.</p>
        <p>
          <Link href="/" class="button">
            Browse products
          </Link>
        </p>
      </>
    );

  const rate = rates?.find((r) => r.city === city);
  const subtotal = cartSubtotal(cart);
  const total = subtotal + (rate?.fee.amount ?? 0);
  const wallets = method !== 'cod';
  // JazzCash alone takes the CNIC's last six digits (its wallet debit v2.0); optional, and sent only with JazzCash.
  const takesCnic = method === 'jazzcash';
  const cnicGiven = takesCnic ? cnic.replace(/\s/g, '') : '';
  const blocked = cart.lines.some((l) => stockProblem(l, stock[l.sku]) !== null);

  const validate = (): Errors => {
    const found: Errors = {};
    if (!city) found.city = 'Choose the city to deliver to.';
    if (!address.trim()) found.address = 'Enter the delivery address.';
    if (!WALLET_PATTERN.test(normalisePhone(phone))) found.phone = PHONE_HINT;
    if (wallets && !WALLET_PATTERN.test(normalisePhone(wallet)))
      found.wallet = `Enter your ${METHOD_NAMES[method]} wallet number: 11 digits starting 03.`;
    if (cnicGiven && !CNIC_PATTERN.test(cnicGiven)) found.cnic = CNIC_HINT;
    return found;
  };

  const focusFirst = (found: Errors) => {
    const first = fieldOrder.find((f) => found[f]);
    if (first) form.current?.querySelector<HTMLElement>(`#checkout-${first}`)?.focus();
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setFailure(null);
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirst(found);
      return;
    }
    const order: NewOrder = {
      items: cart.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      payment: wallets
        ? { method, wallet: normalisePhone(wallet), ...(cnicGiven ? { cnic: cnicGiven } : {}) }
        : { method },
      shipping: { city, address: address.trim(), phone: normalisePhone(phone) },
    };
    setBusy(true);
    try {
      const { status, body } = await api.placeOrder(order, keys.keyFor(order));
      keys.settled();
      navigate(orderPath(body.id) + (status === 202 ? '?placed=pending' : '?placed=1'));
      cartActions.clear();
    } catch (e) {
      const problem = problemOf(e);
      // Only a lost answer may be retried with the same key; anything the API answered is settled.
      if (problem.code !== 'NETWORK') keys.settled();
      if (problem.code === 'VALIDATION_FAILED') {
        setErrors(fieldErrors(problem as ApiError['problem']) as Errors);
      }
      if (problem.code === 'OUT_OF_STOCK') reload();
      setFailure(friendlyMessage(problem, method));
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  const errorList = fieldOrder.filter((f) => errors[f]);

  return (
    <>
      <h1>Checkout</h1>
      <div class="layout-two">
        <form
          ref={form}
          class="checkout-form"
          onSubmit={submit}
          noValidate
          aria-describedby={failure ? 'checkout-failure' : undefined}
        >
          {failure && (
            <div id="checkout-failure">
              <Alert focusOn={attempt}>
                <p>
                  <strong>Your order was not placed.</strong> {failure}
                </p>
                {errorList.length > 0 && (
                  <ul>
                    {errorList.map((f) => (
                      <li key={f}>
                        <a href={`#checkout-${f}`}>{errors[f]}</a>
                      </li>
                    ))}
                  </ul>
                )}
              </Alert>
            </div>
          )}
          <fieldset>
            <legend>Delivery</legend>
            {ratesError && <Alert>{ratesError}</Alert>}
            <Field
              key="city"
              id="checkout-city"
              label="City"
              error={errors.city}
              hint="The shipping fee depends on the city."
            >
              {(describedBy, invalid) => (
                <select
                  id="checkout-city"
                  name="city"
                  value={city}
                  required
                  disabled={!rates}
                  aria-invalid={invalid}
                  aria-describedby={describedBy}
                  autocomplete="address-level2"
                  onChange={(e) => setCity(e.currentTarget.value)}
                >
                  <option value="">{rates ? 'Choose a city' : 'Loading cities…'}</option>
                  {rates?.map((r) => (
                    <option key={r.city} value={r.city}>
                      {r.city} (shipping {formatPkr(r.fee.amount)})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field
              key="address"
              id="checkout-address"
              label="Address"
              error={errors.address}
              hint="House, street, area and landmark."
            >
              {(describedBy, invalid) => (
                <textarea
                  id="checkout-address"
                  name="address"
                  rows={3}
                  maxLength={300}
                  required
                  value={address}
                  aria-invalid={invalid}
                  aria-describedby={describedBy}
                  autocomplete="street-address"
                  onInput={(e) => setAddress(e.currentTarget.value)}
                />
              )}
            </Field>
            <TextField
              key="phone"
              id="checkout-phone"
              label="Phone"
              error={errors.phone}
              hint="The courier calls this number. 11 digits starting 03."
              name="phone"
              type="tel"
              inputMode="tel"
              required
              value={phone}
              autocomplete="tel-national"
              placeholder="03001234567"
              onInput={(e) => setPhone(e.currentTarget.value)}
            />
          </fieldset>
          <fieldset>
            <legend>Payment</legend>
            <div class="choices">
              {methods.map((m) => (
                <label key={m.value} class={`choice${method === m.value ? ' choice--checked' : ''}`}>
                  <input
                    type="radio"
                    name="payment"
                    value={m.value}
                    checked={method === m.value}
                    aria-labelledby={`pay-${m.value}`}
                    aria-describedby={`pay-${m.value}-hint`}
                    onChange={() => setMethod(m.value)}
                  />
                  <span>
                    <strong id={`pay-${m.value}`}>{METHOD_NAMES[m.value]}</strong>
                    <span class="hint" id={`pay-${m.value}-hint`}>
                      {m.hint}
                    </span>
                  </span>
                </label>
              ))}
            </div>
            {wallets && (
              <TextField
                id="checkout-wallet"
                label={`${METHOD_NAMES[method]} wallet number`}
                error={errors.wallet}
                hint="The mobile number of your wallet: 11 digits starting 03."
                name="wallet"
                type="tel"
                inputMode="tel"
                required
                value={wallet}
                autocomplete="tel-national"
                placeholder="03001234567"
                onInput={(e) => setWallet(e.currentTarget.value)}
              />
            )}
            {takesCnic && (
              <TextField
                id="checkout-cnic"
                label="CNIC, last 6 digits (optional)"
                error={errors.cnic}
                hint="Sent to JazzCash with the payment, if you give it. Only the last 6 digits; never shown on your order."
                name="cnic"
                type="text"
                inputMode="numeric"
                maxLength={6}
                value={cnic}
                autocomplete="off"
                placeholder="123456"
                onInput={(e) => setCnic(e.currentTarget.value)}
              />
            )}
          </fieldset>
          {blocked && (
            <Alert kind="warning">
              Some items are not available in the quantity you chose. <Link href="/cart">Change your cart</Link> to
              continue.
            </Alert>
          )}
          {unreachable && <Alert kind="warning">{STOCK_UNKNOWN}</Alert>}
          <button type="submit" class="button button--large button--block" disabled={busy || blocked} aria-busy={busy}>
            {busy
              ? wallets
                ? `Waiting for ${METHOD_NAMES[method]}…`
                : 'Placing your order…'
              : `Place order · ${formatPkr(total)}`}
          </button>
          {busy && wallets && (
            <p class="hint center" role="status">
              Approve the payment in your {METHOD_NAMES[method]} app if it asks. This can take a few seconds.
            </p>
          )}
        </form>
        <aside class="summary card checkout-summary" aria-labelledby="order-summary">
          <h2 id="order-summary">Your order</h2>
          <ul class="summary-lines">
            {cart.lines.map((l) => (
              <li key={l.sku}>
                <span>
                  {l.name} <span class="muted">× {l.quantity}</span>
                </span>
                <span class="nowrap">{formatPkr(l.unitPrice * l.quantity)}</span>
              </li>
            ))}
          </ul>
          <dl class="totals">
            <div>
              <dt>Subtotal</dt>
              <dd>{formatPkr(subtotal)}</dd>
            </div>
            <div>
              <dt>Shipping{rate ? ` to ${rate.city}` : ''}</dt>
              <dd>{rate ? formatPkr(rate.fee.amount) : <span class="muted">choose a city</span>}</dd>
            </div>
            <div class="total">
              <dt>Total</dt>
              <dd data-testid="checkout-total">{formatPkr(total)}</dd>
            </div>
          </dl>
          <p class="small center">
            <Link href="/cart">Edit cart</Link>
          </p>
        </aside>
      </div>
    </>
  );
}
