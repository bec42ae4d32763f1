import type { CfnTemplate } from '../examples/helpers.js';

/** One IAM policy statement as CloudFormation holds it, with where it sits. */
export interface Grant {
  /** Logical id of the policy or role holding it. */
  holder: string;
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Every identity-policy statement in the template: inline role policies and `AWS::IAM::Policy`. */
export function grantsIn(template: CfnTemplate): Grant[] {
  return Object.entries(template.Resources).flatMap(([id, resource]) => {
    const properties = resource.Properties ?? {};
    const documents =
      resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy'
        ? [properties.PolicyDocument]
        : resource.Type === 'AWS::IAM::Role'
          ? list(properties.Policies as { PolicyDocument: unknown }[]).map((policy) => policy.PolicyDocument)
          : [];
    return documents.flatMap((document) =>
      list((document as { Statement?: Omit<Grant, 'holder'>[] } | undefined)?.Statement).map((statement) => ({ holder: id, ...statement })),
    );
  });
}

/** Logical ids of the resources of one type. */
export function idsOfType(template: CfnTemplate, type: string): Set<string> {
  return new Set(Object.entries(template.Resources).filter(([, resource]) => resource.Type === type).map(([id]) => id));
}

/** `{ 'Fn::GetAtt': [id, 'Arn'] }` of one of `ids`, as CDK writes a resource's ARN. */
function isArnOf(value: unknown, ids: Set<string>): boolean {
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | null)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt[1] === 'Arn' && ids.has(getAtt[0]);
}

/**
 * What a reviewer would call a wildcard grant of DynamoDB, SES or Cognito: an allowed action
 * with `*`, a `*` resource, a DynamoDB or Cognito action on anything but the template's own
 * tables and user pools, or `ses:SendEmail` without a `ses:FromAddress` condition. Each
 * finding is described in one line; none means the template is clean.
 */
export function wildcardGrants(template: CfnTemplate, allowed: { tableArns?: unknown[] } = {}): string[] {
  const tables = idsOfType(template, 'AWS::DynamoDB::Table');
  const pools = idsOfType(template, 'AWS::Cognito::UserPool');
  const isTable = (resource: unknown) => isArnOf(resource, tables) || (allowed.tableArns ?? []).some((arn) => JSON.stringify(arn) === JSON.stringify(resource));
  const findings: string[] = [];
  for (const grant of grantsIn(template)) {
    if (grant.Effect !== 'Allow') continue;
    const actions = list(grant.Action);
    const resources = list(grant.Resource as unknown);
    const where = `${grant.holder}${grant.Sid ? ` ${grant.Sid}` : ''}`;
    for (const action of actions) if (action.includes('*')) findings.push(`${where}: action ${action}`);
    if (resources.includes('*')) findings.push(`${where}: resource *`);
    if (actions.some((action) => action.startsWith('dynamodb:')) && !resources.every(isTable)) findings.push(`${where}: DynamoDB beyond the table`);
    if (actions.some((action) => action.startsWith('cognito-idp:')) && !resources.every((resource) => isArnOf(resource, pools))) {
      findings.push(`${where}: Cognito beyond the pool`);
    }
    if (actions.some((action) => action.startsWith('ses:')) && grant.Condition?.StringEquals?.['ses:FromAddress'] === undefined) {
      findings.push(`${where}: SES without a sender condition`);
    }
  }
  return findings;
}
