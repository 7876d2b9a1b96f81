// Field: a labelled form control with its hint and error tied to it for assistive technology.
import type { ComponentChildren, InputHTMLAttributes } from 'preact';

type Props = {
  id: string;
  label: string;
  hint?: ComponentChildren;
  error?: string;
  children: (describedBy: string | undefined, invalid: boolean) => ComponentChildren;
};

export function Field({ id, label, hint, error, children }: Props) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field--invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      {children(describedBy, Boolean(error))}
      {error && (
        <p class="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

// Omit over each member of the union, so an input's type and its allowed roles stay paired.
type InputProps =
  InputHTMLAttributes<HTMLInputElement> extends infer T ? (T extends unknown ? Omit<T, 'id' | 'label'> : never) : never;
type TextFieldProps = Omit<Props, 'children'> & InputProps;

/** TextField: a Field around one input, which takes the field's id and its error and hint wiring. */
export function TextField({ id, label, hint, error, ...input }: TextFieldProps) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      {(describedBy, invalid) => <input id={id} {...input} aria-invalid={invalid} aria-describedby={describedBy} />}
    </Field>
  );
}
