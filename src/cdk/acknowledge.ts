import { CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding the construct accepts by design, with the reason, on the
 * one construct it concerns. cdk-nag v3 reads CDK's own acknowledgements; the same rule is
 * also written as v2's `cdk_nag` metadata on the construct's resources, so an app still on
 * cdk-nag v2 sees it too.
 *
 * @internal
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
  // v2 spells a finding on one resource of a rule as the rule plus `applies_to`.
  const granular = /^([^[]+)\[(.+)\]$/.exec(id);
  const rule = granular ? { id: granular[1], reason, applies_to: [granular[2]] } : { id, reason };
  for (const construct of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(construct)) continue;
    const existing = (construct.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress ?? [];
    construct.addMetadata('cdk_nag', { rules_to_suppress: [...existing, rule] });
  }
}
