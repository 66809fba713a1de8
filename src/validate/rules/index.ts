import type { Rule } from "../context.ts";
import { rule as chartSourceKind } from "./chart-source-kind.ts";
import { rule as chartSourceMissing } from "./chart-source-missing.ts";
import { rule as dependsOnCycle } from "./depends-on-cycle.ts";
import { rule as dependsOnMissing } from "./depends-on-missing.ts";
import { rule as deprecatedApi } from "./deprecated-api.ts";
import { rule as duplicateIdentical } from "./duplicate-identical.ts";
import { rule as duplicateObject } from "./duplicate-object.ts";
import { rule as foreignPlaceholder } from "./foreign-placeholder.ts";
import { rule as healthCheckMissing } from "./health-check-missing.ts";
import { rule as homeopsConfig } from "./homeops-config.ts";
import { rule as invalidVariableName } from "./invalid-variable-name.ts";
import { rule as missingNamespace } from "./missing-namespace.ts";
import { rule as namespaceNotCreated } from "./namespace-not-created.ts";
import { rule as noSchema } from "./no-schema.ts";
import { rule as plaintextSecret } from "./plaintext-secret.ts";
import { rule as schemaViolation } from "./schema-violation.ts";
import { rule as secretStoreMissing } from "./secret-store-missing.ts";
import { rule as sopsCreationRule } from "./sops-creation-rule.ts";
import { rule as sopsNotEncrypted } from "./sops-not-encrypted.ts";
import { rule as sopsWithoutDecryption } from "./sops-without-decryption.ts";
import { rule as sourceMissing } from "./source-missing.ts";
import { rule as substituteFromMissing } from "./substitute-from-missing.ts";
import { rule as unknownField } from "./unknown-field.ts";
import { rule as unreferencedFile } from "./unreferenced-file.ts";
import { rule as unsetVariable } from "./unset-variable.ts";
import { rule as valuesFromMissing } from "./values-from-missing.ts";

/** Every rule of `homeops check`, in code order. A test keeps this list, the folder and docs/rules.md in step. */
export const RULES: readonly Rule[] = [
  homeopsConfig,
  dependsOnMissing,
  dependsOnCycle,
  sourceMissing,
  chartSourceMissing,
  chartSourceKind,
  valuesFromMissing,
  substituteFromMissing,
  healthCheckMissing,
  unsetVariable,
  foreignPlaceholder,
  invalidVariableName,
  duplicateObject,
  missingNamespace,
  namespaceNotCreated,
  deprecatedApi,
  duplicateIdentical,
  schemaViolation,
  unknownField,
  noSchema,
  plaintextSecret,
  sopsNotEncrypted,
  sopsCreationRule,
  secretStoreMissing,
  sopsWithoutDecryption,
  unreferencedFile,
];
