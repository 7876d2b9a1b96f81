// AccountForm and useAccountSubmit: the page and the submit flow the log-in and sign-up forms share.
import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fieldErrors, friendlyMessage, type Problem, problemOf } from '../lib/problems.ts';
import { Alert } from './bits.tsx';
import { Link } from './link.tsx';

function focusFirstInvalid(form: HTMLFormElement | null) {
  form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

/**
 * useAccountSubmit runs an account form's submit: the form's own checks first, then the request; a refusal shows
 * the API's field errors (with `explain` adding its own) and its message, and the first invalid field takes the focus.
 */
export function useAccountSubmit(
  check: () => Record<string, string>,
  send: () => Promise<void>,
  explain: (problem: Problem, errors: Record<string, string>) => void = () => {},
) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (Object.keys(errors).length) focusFirstInvalid(form.current);
  }, [errors]);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const found = check();
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await send();
    } catch (e) {
      const problem = problemOf(e);
      const fromApi = fieldErrors(problem);
      explain(problem, fromApi);
      setErrors(fromApi);
      setFailure(friendlyMessage(problem));
      setAttempt((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };
  return { errors, submission: { failure, attempt, busy, form, onSubmit } };
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
export function AccountForm(props: AccountFormProps) {
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
