// The mobile number and city fields that signing up and the shopper's own details share, and the cities they offer.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../state.ts';
import { Field, TextField } from './field.tsx';

/**
 * useCityNames: the cities shipping delivers to, by name (these forms show no fees, so the rates' own order, cheapest
 * first, would read as no order); none while loading or when they cannot be had.
 */
export function useCityNames(): string[] {
  const [cities, setCities] = useState<string[]>([]);
  useEffect(() => {
    api.rates().then(
      (r) => setCities(r.items.map((rate) => rate.city).sort((a, b) => a.localeCompare(b))),
      () => setCities([]),
    );
  }, []);
  return cities;
}

type Input = { id: string; error?: string; value: string; onInput: (e: { currentTarget: { value: string } }) => void };

/** PhoneField: an optional Pakistani mobile number, 11 digits starting 03. */
export function PhoneField({ id, hint, error, value, onInput }: Input & { hint: string }) {
  return (
    <TextField
      id={id}
      label="Mobile number (optional)"
      hint={hint}
      error={error}
      name="phone"
      type="tel"
      inputMode="tel"
      autocomplete="tel-national"
      placeholder="03001234567"
      value={value}
      onInput={onInput}
    />
  );
}

/**
 * CityField: an optional city from those given; `none` names the empty choice. A value not among them (a city
 * shipping no longer lists) is offered too, so that saving the form never changes it unasked.
 */
export function CityField({ id, error, value, onInput, cities, none }: Input & { cities: string[]; none: string }) {
  const offered = !value || cities.includes(value) ? cities : [value, ...cities];
  return (
    <Field id={id} label="City (optional)" error={error}>
      {(describedBy, invalid) => (
        <select
          id={id}
          name="city"
          autocomplete="address-level2"
          value={value}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onChange={onInput}
        >
          <option value="">{none}</option>
          {offered.map((city) => (
            <option key={city} value={city}>
              {city}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
