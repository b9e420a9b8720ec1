// After tsc: makes the CLI executable (tsc keeps the shebang but not the mode), and
// writes the config validator as ajv standalone code (see src/config.ts configValidator).
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);

if (existsSync('dist/config.js')) {
  const { AJV_OPTIONS, PRECOMPILED_VALIDATOR, configSchema } = await import('../dist/config.js');
  const schema = configSchema();
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { ...AJV_OPTIONS.code, source: true, esm: false } });
  const validate = ajv.compile(schema);
  // The schema text goes along so config.ts can tell a validator generated from another schema.
  const code = `${standaloneCode(ajv, validate)}\nmodule.exports.validate = module.exports;\nmodule.exports.schemaText = ${JSON.stringify(JSON.stringify(schema))};\n`;
  writeFileSync(`dist/${PRECOMPILED_VALIDATOR}`, code);
}
