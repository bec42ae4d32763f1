/*
 * The Cognito and SES clients are optional peers: a project that installs neither must
 * still compile the library's declarations (with `skipLibCheck: false`). So the options that
 * take such a client, or its configuration, are typed by shape here instead of by the SDK's
 * classes; the SDK's own clients and configuration objects fit these shapes as they are.
 */

/** An AWS SDK v3 client the library is given: it only calls `send`. */
export interface SdkClient {
  send(command: unknown, options?: unknown): Promise<unknown>;
}

/**
 * The configuration of a client the library builds, as for the SDK client's constructor
 * (`new CognitoIdentityProviderClient(config)`, `new SESClient(config)`): the library's
 * defaults (request timeouts, retries) are merged under it.
 */
export interface SdkClientConfig {
  /** The AWS region, or a function that resolves it. */
  region?: string | (() => Promise<string>);
  /** A custom endpoint, such as a local emulator's URL. */
  endpoint?: unknown;
  /** Credentials, or a provider of them. @default the SDK's default chain */
  credentials?: unknown;
  /** A named profile of the shared config files. */
  profile?: string;
  /** Tries per call, the first included. */
  maxAttempts?: number | (() => Promise<number>);
  retryMode?: string | (() => Promise<string>);
  retryStrategy?: unknown;
  /** The HTTP handler, or its options (`connectionTimeout`, `requestTimeout`, …). */
  requestHandler?: unknown;
  /** A logger for the SDK's own messages. */
  logger?: unknown;
  customUserAgent?: unknown;
  useFipsEndpoint?: boolean | (() => Promise<boolean>);
  useDualstackEndpoint?: boolean | (() => Promise<boolean>);
}
