import { createSign } from 'node:crypto';

/** The key id cognito-local's JWKS names its one key by. @internal */
export const SIGNING_KEY_ID = 'CognitoLocal';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * Signs claims as an RS256 JWT with the header Cognito uses (`kid`, `alg`), so that a
 * token verifies against cognito-local's JWKS.
 *
 * @internal
 */
export function signJwt(claims: Record<string, unknown>, privateKeyPem: string): string {
  const signingInput = `${encode({ kid: SIGNING_KEY_ID, alg: 'RS256' })}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKeyPem, 'base64url');
  return `${signingInput}.${signature}`;
}
