import { ConfigurationError, WelcomeError } from '../errors.js';

/*
 * What may go into a mail header. The checks never quote the value: it is personal data.
 */

/**
 * Every control character (C0, DEL and C1, which hold CR, LF, VT, FF and NEL) and the two
 * Unicode line terminators. Mail software differs on which of them ends a header line, so
 * none of them is let through.
 */
const CONTROL_OR_LINE_BREAK = /[\p{Cc}\u2028\u2029]/u;

/**
 * One RFC 5322 addr-spec as SES takes it: a dot-atom local part, `@`, a host name, all 7-bit
 * ASCII (SES has no SMTPUTF8; a non-ASCII domain must come as Punycode). No display name, no
 * angle brackets, no list, no quoted local part, no comment, no domain literal.
 */
const ATEXT = "[A-Za-z0-9!#$%&'*+\\/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
// Built in a pure call so that a bundle without a welcome mail drops it.
const PLAIN_ADDRESS = /* @__PURE__ */ (() => new RegExp(`^(?=[^@]{1,64}@)(?=.{3,254}$)${ATEXT}(?:\\.${ATEXT})*@${LABEL}(?:\\.${LABEL})*$`))();

/** Throws a `ConfigurationError` naming the option when a header option holds a control character. @internal */
export function checkHeaderOption(value: unknown, option: string): void {
  if (typeof value === 'string' && CONTROL_OR_LINE_BREAK.test(value)) {
    throw new ConfigurationError(option, 'must not contain a line break or other control character (header injection)');
  }
}

/** The value, or a `WelcomeError` naming the header when it holds a control character. @internal */
export function headerValue(value: string, field: string): string {
  if (CONTROL_OR_LINE_BREAK.test(value)) {
    throw new WelcomeError(`the welcome ${field} contains a line break or other control character; not sent`);
  }
  return value;
}

/** The address, or a `WelcomeError` when it is not exactly one plain address. @internal */
export function plainAddress(value: string): string {
  if (!PLAIN_ADDRESS.test(value)) {
    throw new WelcomeError('the welcome recipient is not one plain address (local@domain in 7-bit ASCII, no name or list); not sent');
  }
  return value;
}
