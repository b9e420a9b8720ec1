// Which JSON Schema errors of a config are about what the user wrote. A study is one of
// several alternatives (oneOf, told apart by "kind"); ajv reports every alternative's
// complaints, and those of the other kinds (the study's own keys "unknown", their
// required keys "missing") would make a wrong message.
import type { ErrorObject } from 'ajv';

export type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  additionalProperties?: unknown;
  $ref?: string;
  definitions?: Record<string, JsonSchema>;
  const?: unknown;
};

function resolveRef(root: JsonSchema, s: JsonSchema): JsonSchema {
  if (s.$ref?.startsWith('#/definitions/')) return root.definitions?.[s.$ref.slice('#/definitions/'.length)] ?? s;
  return s;
}

/** The alternative of a oneOf/anyOf schema whose `kind` is the value's (the schema itself otherwise). */
function variantFor(root: JsonSchema, s: JsonSchema, v: unknown): JsonSchema {
  const variants = s.oneOf ?? s.anyOf;
  const kind = (v as { kind?: unknown } | null)?.kind;
  if (!variants || typeof kind !== 'string') return s;
  return variants.map((alt) => resolveRef(root, alt)).find((a) => (a.properties?.['kind'] as { const?: string } | undefined)?.const === kind) ?? s;
}

/** The schema for the value at a JSON pointer, each alternative on the way picked by its kind. */
function schemaAtInstance(root: JsonSchema, pointer: string, value: unknown): JsonSchema | undefined {
  let s: JsonSchema | undefined = root;
  let v: unknown = value;
  for (const seg of pointer.split('/').filter(Boolean)) {
    if (!s) return undefined;
    s = variantFor(root, resolveRef(root, s), v);
    v = (v as Record<string, unknown>)?.[seg];
    if (/^\d+$/.test(seg)) s = s.items;
    else s = s.properties?.[seg];
  }
  return s && resolveRef(root, s);
}

/** The property names the schema allows at a JSON pointer (for suggestions). */
export function knownKeysAt(root: JsonSchema, pointer: string, value: unknown): string[] {
  const s = schemaAtInstance(root, pointer, value);
  if (!s) return [];
  const v = valueAt(value, pointer);
  const variants = s.oneOf ?? s.anyOf;
  if (variants) {
    const kind = (v as { kind?: string })?.kind;
    const keys = new Set<string>();
    for (const alt of variants) {
      const a = resolveRef(root, alt);
      const k = a.properties?.['kind'] as { const?: string } | undefined;
      if (kind && k?.const && k.const !== kind) continue;
      for (const key of Object.keys(a.properties ?? {})) keys.add(key);
    }
    return [...keys];
  }
  return Object.keys(s.properties ?? {});
}

/** The value at a JSON pointer (`/studies/0/split`). */
function valueAt(value: unknown, pointer: string): unknown {
  let v = value;
  for (const seg of pointer.split('/').filter(Boolean)) v = (v as Record<string, unknown> | null)?.[seg];
  return v;
}

/** The nearest object at or above an instance path that has a `kind`, and its path. */
function kindOwner(value: unknown, instancePath: string): { path: string; kind: unknown } | undefined {
  const segs = instancePath.split('/').filter(Boolean);
  for (let n = segs.length; n >= 0; n--) {
    const path = n === 0 ? '' : '/' + segs.slice(0, n).join('/');
    const v = valueAt(value, path);
    if (v && typeof v === 'object' && !Array.isArray(v) && 'kind' in v) return { path, kind: (v as { kind: unknown }).kind };
  }
  return undefined;
}

/**
 * The errors about the alternative a value chose by its `kind`; or, when the kind is none
 * of the alternatives', a message saying so.
 */
export function errorsOfOwnKind(root: JsonSchema, errors: ErrorObject[], value: unknown): { errors: ErrorObject[] } | { unknownKind: string; kind: string } {
  const kept: ErrorObject[] = [];
  for (const e of errors) {
    // ajv's schemaPath starts at the referenced schema (`#/oneOf/2/required` for a study).
    const m = /^#\/oneOf\/(\d+)(\/.*)?$/.exec(e.schemaPath);
    const owner = kindOwner(value, e.instancePath);
    const alternatives = owner ? (schemaAtInstance(root, owner.path, value)?.oneOf ?? []) : [];
    if (!m || !owner || alternatives.length === 0) {
      if (e.keyword !== 'oneOf') kept.push(e);
      continue;
    }
    const kinds = alternatives.map((a) => (resolveRef(root, a).properties?.['kind'] as JsonSchema | undefined)?.const).filter((k): k is string => typeof k === 'string');
    if (!kinds.includes(owner.kind as string)) {
      return { unknownKind: `${owner.path}/kind: unknown study kind ${JSON.stringify(owner.kind)} (known: ${kinds.join(', ')})`, kind: String(owner.kind) };
    }
    const alt = resolveRef(root, alternatives[Number(m[1])] ?? {});
    if ((alt.properties?.['kind'] as JsonSchema | undefined)?.const === owner.kind) kept.push(e);
  }
  return { errors: kept.length > 0 ? kept : errors };
}
