import { actionMatches, resourceMatches } from './patterns';

/** A policy as the evaluator sees it: the role already expanded to its actions. */
export interface EffectivePolicy {
  id: string;
  effect: 'allow' | 'deny';
  actions: string[];
  resources: string[];
}

/** What {@link evaluate} decided and why. */
export interface Evaluation {
  allowed: boolean;
  /** The policy that decided (a matching deny, else a matching allow), for audit. */
  decidedBy: string | null;
}

/**
 * AWS-IAM-like evaluation over the policies that apply to the principal
 * (already selected by subject): an explicit deny matching the action and
 * the resource beats any allow; otherwise a matching allow allows; otherwise
 * deny (default deny).
 */
export function evaluate(policies: readonly EffectivePolicy[], action: string, resource: string): Evaluation {
  let allowedBy: string | null = null;
  for (const policy of policies) {
    const matches = policy.actions.some((pattern) => actionMatches(pattern, action)) && policy.resources.some((pattern) => resourceMatches(pattern, resource));
    if (!matches) continue;
    if (policy.effect === 'deny') return { allowed: false, decidedBy: policy.id };
    allowedBy ??= policy.id;
  }
  return { allowed: allowedBy !== null, decidedBy: allowedBy };
}
