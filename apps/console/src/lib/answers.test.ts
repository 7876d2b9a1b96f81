import { describe, expect, it } from 'vitest';
import { answerTone, answerWord } from './answers.ts';

describe('how a request was answered', () => {
  it('says a 5xx or a failed span failed, a 4xx was refused, and the rest succeeded', () => {
    const answers = [
      { status: 503, error: true },
      { error: true },
      { status: 402, error: false },
      { status: 201, error: false },
      { error: false },
    ];
    expect(answers.map(answerWord)).toEqual(['failed', 'failed', 'refused', 'succeeded', 'succeeded']);
    expect(answers.map(answerTone)).toEqual(['bad', 'bad', 'warn', 'ok', 'ok']);
  });
});
