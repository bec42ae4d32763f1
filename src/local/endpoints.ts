/**
 * Where each local server answers; every address is `http://127.0.0.1:<port>`.
 *
 * @example
 * ```ts
 * new DynamoDBDocumentClient(new DynamoDBClient({ endpoint: stack.endpoints.dynamodb }));
 * ```
 */
export interface LocalEndpoints {
  /** dynalite. */
  readonly dynamodb: string;
  /** cognito-local. */
  readonly cognito: string;
  /** aws-ses-v2-local: SES v1 `SendEmail`/`SendRawEmail` and the SES v2 outbound-email API. */
  readonly ses: string;
  /** The Lambda Invoke endpoint that routes trigger calls to the handlers. */
  readonly lambda: string;
}

/** Dummy static credentials: the local servers accept any, and none reach AWS. @internal */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
