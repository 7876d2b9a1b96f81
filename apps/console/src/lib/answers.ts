// answers: how a request was answered, as the list of traces and a trace's header say it.
import type { Tone } from './orders.ts';

/** A request's answer: its HTTP status, when it was one, and whether it failed (5xx, or a span that failed). */
export type Answered = { status?: number; error: boolean };

const refused = (a: Answered) => !a.error && (a.status ?? 0) >= 400;

/** answerTone colours the status: failed bad, refused (a 4xx, the client's) warn, else ok. */
export const answerTone = (a: Answered): Tone => (a.error ? 'bad' : refused(a) ? 'warn' : 'ok');

/** answerWord says it in a word, so that colour is never the only sign. */
export const answerWord = (a: Answered) => (a.error ? 'failed' : refused(a) ? 'refused' : 'succeeded');
