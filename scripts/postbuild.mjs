// After tsc: makes the CLI executable (tsc keeps the shebang but not the mode), and
// writes the config and model validators as ajv standalone code (read by
// src/precompiled-validator.ts for src/config.ts and src/model/schema.ts).
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);

/** ajv's standalone code for `schema`, with the schema text so the loader can tell a validator generated from another schema. */
function standalone(options, schema) {
  const ajv = new Ajv({ ...options, code: { ...options.code, source: true, esm: false } });
  const validate = ajv.compile(schema);
  return `${standaloneCode(ajv, validate)}\nmodule.exports.validate = module.exports;\nmodule.exports.schemaText = ${JSON.stringify(JSON.stringify(schema))};\n`;
}

if (existsSync('dist/model/schema.js')) {
  const { MODEL_AJV_OPTIONS, PRECOMPILED_MODEL_VALIDATOR, modelSchema } = await import('../dist/model/schema.js');
  writeFileSync(`dist/model/${PRECOMPILED_MODEL_VALIDATOR}`, standalone(MODEL_AJV_OPTIONS, modelSchema()));
}

if (existsSync('dist/config.js')) {
  const { AJV_OPTIONS, PRECOMPILED_VALIDATOR, configSchema } = await import('../dist/config.js');
  writeFileSync(`dist/${PRECOMPILED_VALIDATOR}`, standalone(AJV_OPTIONS, configSchema()));
}
