/** Every rule credflow knows, in the order `credflow rules` lists them. Adding a rule: one line here. */
import type { Rule } from "./types.js";
import { yamlSyntax } from "./builtin/yaml-syntax.js";
import { workflowSchema } from "./builtin/workflow-schema.js";
import { fileAccess } from "./builtin/file-access.js";
import { localActionResolution } from "./builtin/local-action-resolution.js";
import { matrixJobLimit } from "./builtin/matrix-job-limit.js";
import { compositeRoleConflict } from "./composite-role-conflict.js";
import { credentialEnvShadowing } from "./credential-env-shadowing.js";
import { unpinnedRef } from "./unpinned-ref.js";
import { outdatedActionRuntime } from "./outdated-action-runtime.js";
import { awsUnknownInput } from "./aws-unknown-input.js";
import { awsInvalidInput } from "./aws-invalid-input.js";
import { awsBooleanTrap } from "./aws-boolean-trap.js";
import { oidcFanoutNoRetry } from "./oidc-fanout-no-retry.js";
import { missingIdTokenPermission } from "./missing-id-token-permission.js";
import { credentialsInCache } from "./credentials-in-cache.js";
import { staticAwsKeys } from "./static-aws-keys.js";
import { oidcUntrustedTrigger } from "./oidc-untrusted-trigger.js";
import { unusedSuppression } from "./builtin/unused-suppression.js";

export const RULES: readonly Rule[] = [
  yamlSyntax,
  workflowSchema,
  fileAccess,
  localActionResolution,
  matrixJobLimit,
  compositeRoleConflict,
  credentialEnvShadowing,
  unpinnedRef,
  outdatedActionRuntime,
  awsUnknownInput,
  awsInvalidInput,
  awsBooleanTrap,
  oidcFanoutNoRetry,
  missingIdTokenPermission,
  credentialsInCache,
  staticAwsKeys,
  oidcUntrustedTrigger,
  unusedSuppression,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
