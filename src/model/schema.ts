// Validation of a model against schema/run-model.schema.json (used by tests, by
// `ce-report ingest --validate`, and before a build writes data/model.json).
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

let validator: ValidateFunction | undefined;

export function modelSchema(): object {
  return JSON.parse(readFileSync(new URL('../../schema/run-model.schema.json', import.meta.url), 'utf8')) as object;
}

/** Returns the schema violations of a model, one string each; empty when valid. */
export function validateModel(model: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    validator = ajv.compile(modelSchema());
  }
  if (validator(model)) return [];
  return (validator.errors ?? []).slice(0, 20).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
}
