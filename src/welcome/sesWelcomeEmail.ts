import type { SESClient, SESClientConfig, SendEmailCommandInput } from '@aws-sdk/client-ses';
import type { SdkClient, SdkClientConfig } from '../sdkClient.js';
import { ConfigurationError, WelcomeError } from '../errors.js';
import { checkHeaderOption, headerValue, plainAddress } from './mailHeaders.js';
import { escapeHtml, renderTemplate, type Template } from './template.js';
import type { Profile } from '../types.js';
import { welcomeStep } from './once.js';
import type { WelcomeContext, WelcomeStep } from './step.js';

export interface SesWelcomeEmailFields {
  /** The verified sender, `ops@example.com` or `Example <ops@example.com>`. */
  source: string;
  /** The subject: a template with `{{field}}` placeholders, or a function of the profile. */
  subject: Template;
  /** Plain-text body template. At least one of `text` and `html` is required. */
  text?: Template;
  /**
   * HTML body template. Values put in by `{{field}}` are HTML-escaped; a function template
   * must escape what it inserts (see {@link escapeHtml}).
   */
  html?: Template;
  /**
   * The recipient: one plain address (`local@domain`, 7-bit ASCII, a non-ASCII domain as
   * Punycode). A display name, a list or anything else is refused with a `WelcomeError`.
   * @default the profile's `email`, else the user's `email` attribute
   */
  to?: (profile: Profile, context: WelcomeContext) => string | undefined;
  /** Reply-To addresses. @default none */
  replyTo?: readonly string[];
  /** SES configuration set, for event publishing. @default none */
  configurationSetName?: string;
}

/** Options of {@link sesWelcomeEmail}: the message, and an SES client or its config (not both). */
export type SesWelcomeEmailOptions = SesWelcomeEmailFields &
  (
    | { /** An SES (v1 API) `SESClient` of yours. */ client: SdkClient; clientConfig?: never }
    | {
        client?: never;
        /**
         * Config for the SES client the library builds on first send.
         * @default request timeouts that fit the trigger deadline, 2 attempts
         */
        clientConfig?: SdkClientConfig;
      }
  );

/** @internal */
export const defaultSesClientConfig: SESClientConfig = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1000, requestTimeout: 2500, throwOnRequestTimeout: true },
};

function validate(options: SesWelcomeEmailOptions): void {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('sesWelcomeEmail', 'needs options');
  if (typeof options.source !== 'string' || options.source.trim() === '') {
    throw new ConfigurationError('source', 'is required: a sender address verified in SES (is SOURCE_EMAIL set?)');
  }
  checkHeaderOption(options.source, 'source');
  if (typeof options.subject !== 'string' && typeof options.subject !== 'function') {
    throw new ConfigurationError('subject', 'is required: a template string or a function');
  }
  checkHeaderOption(options.subject, 'subject');
  if (options.text === undefined && options.html === undefined) {
    throw new ConfigurationError('text', 'give `text`, `html` or both');
  }
  options.replyTo?.forEach((address, index) => checkHeaderOption(address, `replyTo[${index}]`));
  if (options.client !== undefined && options.clientConfig !== undefined) {
    throw new ConfigurationError('client', 'give either client or clientConfig, not both');
  }
}

/**
 * A welcome step that sends one email through Amazon SES. The SES client module is loaded
 * on the first send, so a handler that never sends loads no SES code.
 *
 * @example
 * ```ts
 * onWelcome: sesWelcomeEmail({
 *   source: process.env.SOURCE_EMAIL!,
 *   subject: 'Welcome to Example',
 *   text: 'Dear {{name|member}}, thank you for signing up.',
 *   html: '<p>Dear {{name|member}}, thank you for signing up.</p>',
 * })
 * ```
 */
export function sesWelcomeEmail(options: SesWelcomeEmailOptions): WelcomeStep {
  validate(options);
  let ses: Promise<{ client: SESClient; SendEmailCommand: typeof import('@aws-sdk/client-ses').SendEmailCommand }> | undefined;
  const load = () =>
    (ses ??= import('@aws-sdk/client-ses').then(
      (module) => ({
        // Typed by shape in the options (SES is an optional peer): the SDK's own client and config.
        client: (options.client as SESClient | undefined) ?? new module.SESClient({ ...defaultSesClientConfig, ...(options.clientConfig as SESClientConfig | undefined) }),
        SendEmailCommand: module.SendEmailCommand,
      }),
      (cause: unknown) => {
        ses = undefined;
        throw new WelcomeError('sesWelcomeEmail needs @aws-sdk/client-ses installed', { cause });
      },
    ));

  return welcomeStep(async (profile, context) => {
    const to = options.to ? options.to(profile, context) : (profile.email ?? context.attributes.email);
    if (typeof to !== 'string' || to === '') throw new WelcomeError('the profile has no email address to welcome');
    const input: SendEmailCommandInput = {
      Source: options.source,
      Destination: { ToAddresses: [plainAddress(to)] },
      Message: {
        Subject: { Data: headerValue(renderTemplate(options.subject, profile), 'subject'), Charset: 'UTF-8' },
        Body: {
          ...(options.text !== undefined && { Text: { Data: renderTemplate(options.text, profile), Charset: 'UTF-8' } }),
          ...(options.html !== undefined && {
            Html: { Data: renderTemplate(options.html, profile, escapeHtml), Charset: 'UTF-8' },
          }),
        },
      },
      ...(options.replyTo && { ReplyToAddresses: [...options.replyTo] }),
      ...(options.configurationSetName && { ConfigurationSetName: options.configurationSetName }),
    };
    const { client, SendEmailCommand } = await load();
    await client.send(new SendEmailCommand(input), { abortSignal: context.signal });
  });
}
