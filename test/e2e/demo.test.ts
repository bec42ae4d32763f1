import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/index.js';

describe('the demo story on the embedded local stack', () => {
  it('keeps every promise it checks', async () => {
    let output = '';

    const result = await runDemo((text) => {
      output += text;
    });

    expect(result.steps.flatMap((step) => step.failures.map((failure) => `${step.title}: ${failure}`))).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.steps.map((step) => step.title)).toEqual([
      'Three users sign up and confirm; every row goes through the same custom mapper',
      'Ana resets her password (ForgotPassword + ConfirmForgotPassword)',
      "Cognito delivers Ben's confirmation again (a retry)",
      'Dan is created by an admin (no PostConfirmation) and signs in for the first time',
      'Dan signs in again: still one welcome; his access token (V2) carries his plan',
      'An admin changes Ana in the console; she signs in again',
      'An admin edits Ben; the CloudTrail event reaches the admin-change handler',
      "Chloé's profile row is lost; reconcile restores it",
      'The handlers logged one line per invocation, without personal data',
    ]);
    expect(output).toContain('The story held');
    // Every user is greeted by the first name the mapper found, Ben's from given_name.
    expect(output).toContain('"Welcome to Demo Club, Ben!"');
    expect(output).not.toContain('friend!');
  });
});
