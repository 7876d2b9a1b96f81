// The pieces of the catalogue's forms: a labelled field with its hint and, beside it, what is wrong with it; the
// form's own error; its Save and Cancel buttons.
import type { ComponentChildren, RefObject } from 'preact';
import { useEffect } from 'preact/hooks';

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
