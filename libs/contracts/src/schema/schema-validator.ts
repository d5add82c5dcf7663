import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { isRfc3339DateTime } from './date-time-format';
import { useFastStringLength } from './string-length-keywords';

/** The first rule a value breaks: the field as a dotted path, and a message that never echoes the value. */
export interface SchemaViolation {
  /** Dotted path of the offending field without array indices (`payload.tokenIds`), or `$` for the value itself. */
  field: string;
  /** `<path with indices>: <rule>`, e.g. `tags.3: must NOT have fewer than 3 characters`. */
  message: string;
}

/**
 * Checks a value against one schema: `undefined` when it conforms, else the
 * first violation. `prefix` is prepended to paths (`payload`) when the value
 * is part of a larger message.
 */
export interface SchemaCheck {
  (value: unknown, prefix?: string): SchemaViolation | undefined;
  /** Compiles now instead of on first use (tens of milliseconds per schema: do it at start-up, not on a hot path). */
  compile(): void;
}

/**
 * A schema of the contract that Ajv refuses to compile: a defect of this
 * package (a unit test compiles every schema), never a property of a message.
 * It is the one error the codecs let through instead of reporting a bad message.
 */
export class ContractSchemaError extends Error {
  override readonly name = 'ContractSchemaError';
  readonly code = 'CONTRACT_SCHEMA_INVALID';
}

let shared: Ajv | undefined;

/**
 * One Ajv instance for the whole contract. Strict mode refuses a schema with
 * an unknown keyword or a keyword on the wrong type, so a typo in a schema
 * fails the first compile (in tests) instead of silently accepting anything.
 * `allErrors: false`: stop at the first violation (that is all we report,
 * and it is the fast path for bad input). `strictRequired` is off because
 * conditional requirements (`if`/`then`, `oneOf` of `required`) name
 * properties declared by the parent schema, which is the idiomatic form.
 */
function contractAjv(): Ajv {
  if (!shared) {
    shared = new Ajv({ strict: true, strictRequired: false, allErrors: false, allowUnionTypes: true });
    shared.addFormat('date-time', { type: 'string', validate: isRfc3339DateTime });
    useFastStringLength(shared);
  }
  return shared;
}

const INDEX = /^\d+$/;

function violationOf(error: ErrorObject, prefix: string): SchemaViolation {
  // Paths only ever name schema properties and array indices (no schema here
  // has patternProperties or typed additionalProperties), so they never
  // carry text from the input.
  const segments = prefix ? prefix.split('.') : [];
  if (error.instancePath) {
    for (const segment of error.instancePath.slice(1).split('/')) segments.push(segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  let rule = error.message ?? 'is invalid';
  if (error.keyword === 'required') {
    segments.push(String((error.params as { missingProperty: string }).missingProperty));
    rule = 'is required';
  }
  const field = segments.filter((segment) => !INDEX.test(segment)).join('.') || '$';
  return { field, message: `${segments.join('.') || '$'}: ${rule}` };
}

/**
 * Compiles `schema` on first use (so a process pays only for the schemas it
 * uses) and returns its check. Compiled code, not reflection: a few hundred
 * thousand checks a second on a laptop.
 */
export function schemaCheck(schema: object): SchemaCheck {
  let validate: ValidateFunction | undefined;
  const compile = (): ValidateFunction => {
    if (!validate) {
      try {
        validate = contractAjv().compile(schema);
      } catch (error) {
        throw new ContractSchemaError(`schema ${String((schema as { title?: unknown }).title)} does not compile: ${(error as Error).message}`);
      }
    }
    return validate;
  };
  const check = (value: unknown, prefix = ''): SchemaViolation | undefined => {
    const compiled = validate ?? compile();
    if (compiled(value)) return undefined;
    const error = compiled.errors?.[0];
    return error ? violationOf(error, prefix) : { field: prefix || '$', message: `${prefix || '$'}: is invalid` };
  };
  return Object.assign(check, { compile: () => void compile() });
}
