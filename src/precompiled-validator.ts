// A JSON Schema validator from ajv's standalone code, which `npm run build` writes next to
// the module that uses it (scripts/postbuild.mjs): compiling a schema with ajv costs tens to
// hundreds of milliseconds of every run (~70 ms for the model, ~0.2-0.3 s for the config).
// The generated code is used only when it was generated from the schema as it is now (same
// ajv and options, hence the same errors); from the TypeScript sources (tests) or a stale
// build, ajv compiles the schema.
import type { Ajv as AjvClass, Options as AjvOptions, ValidateFunction } from 'ajv';

/** `require` is the caller's own (createRequire(import.meta.url)): `file` is found beside the caller. */
export function precompiledValidator(require: NodeJS.Require, file: string, schema: object, options: AjvOptions): ValidateFunction {
  try {
    const generated = require(`./${file}`) as { schemaText?: string; validate?: ValidateFunction };
    if (generated.schemaText === JSON.stringify(schema) && typeof generated.validate === 'function') return generated.validate;
  } catch {
    // Not generated (running from the sources): compiled below.
  }
  const { Ajv } = require('ajv') as { Ajv: typeof AjvClass };
  return new Ajv(options).compile(schema);
}
