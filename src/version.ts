// The tool's own name and version, from package.json (shown in reports and the model).
import { readFileSync } from 'node:fs';

let cached: { name: string; version: string } | undefined;

export function generatorInfo(): { name: string; version: string } {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = { name: 'ce-report', version: pkg.version };
  }
  return cached;
}
