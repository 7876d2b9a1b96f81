// The pieces of the catalogue's forms: a labelled field with its hint and, beside it, what is wrong with it; the
// form's own error; its Save and Cancel buttons; and the submit they share.
import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Problem, problemOf } from '../lib/api.ts';
import type { FieldErrors, Read } from '../lib/catalogue.ts';

type FieldProps = {
  id: string;
  label: ComponentChildren;
  value: string;
  onInput: (value: string) => void;
  error?: string;
  hint?: string;
  multiline?: boolean;
  maxLength?: number;
  inputMode?: 'decimal' | 'numeric' | 'text';
  autoComplete?: string;
  placeholder?: string;
};

export function Field({ id, label, value, onInput, error, hint, multiline, ...rest }: FieldProps) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const shared = {
    id,
    value,
    maxLength: rest.maxLength,
    placeholder: rest.placeholder,
    spellcheck: false,
    'aria-describedby': described,
    'aria-invalid': error ? true : undefined,
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {multiline ? (
        <textarea {...shared} rows={2} onInput={(e) => onInput(e.currentTarget.value)} />
      ) : (
        <input
          {...shared}
          inputMode={rest.inputMode}
          autocomplete={rest.autoComplete ?? 'off'}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      )}
      {hint && (
        <p id={`${id}-hint`} class="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** focusFirstInvalid moves the focus to the first field the form marked wrong, so its error is read out with it. */
export function focusFirstInvalid(form: HTMLFormElement | null) {
  requestAnimationFrame(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}

/** useFocusOnOpen puts the focus in a form's first field when it opens, so the keyboard carries on there. */
export function useFocusOnOpen(form: RefObject<HTMLFormElement | null>) {
  useEffect(() => form.current?.querySelector<HTMLElement>('input, textarea')?.focus(), []);
}

/**
 * useSubmit is a catalogue form's submit: what was typed is read (its errors stay in the form), then sent, and a
 * refusal is put in words beside its field by `refused`; busy while the request is out, and the focus on the first
 * field marked wrong either way. The form's focus moves into it when it opens.
 */
export function useSubmit<T>(
  read: () => Read<T>,
  send: (body: T) => Promise<void>,
  refused: (problem: Problem, body: T) => FieldErrors,
) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useFocusOnOpen(form);
  const submit = async (event: Event) => {
    event.preventDefault();
    const typed = read();
    if (!typed.ok) {
      setErrors(typed.errors);
      return focusFirstInvalid(form.current);
    }
    setBusy(true);
    setErrors({});
    try {
      await send(typed.body);
    } catch (err) {
      setErrors(refused(problemOf(err), typed.body));
      focusFirstInvalid(form.current);
    } finally {
      setBusy(false);
    }
  };
  return { form, errors, busy, submit };
}

/** FormActions: the submit button, saying what it does (and that it is doing it), and Cancel. */
export function FormActions({
  busy,
  label,
  busyLabel,
  onClose,
}: {
  busy: boolean;
  label: string;
  busyLabel: string;
  onClose: () => void;
}) {
  return (
    <div class="form-actions">
      <button type="submit" class="primary" disabled={busy}>
        {busy ? busyLabel : label}
      </button>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
    </div>
  );
}

/** FormError: a refusal no one field explains, announced. */
export function FormError({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <p class="notice error" role="alert">
      {text}
    </p>
  );
}
