import { z, type ZodType } from 'zod';
import * as contract from '../contract';
import * as replies from './replies';

export type JsonSchema = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';
const INLINE = '__inline';

/** Every zod schema the contract and replies.ts export, named as exported. */
function namedSchemas() {
  const names = new Map<ZodType, string>();
  for (const [name, value] of Object.entries({ ...contract, ...replies })) {
    if (value instanceof z.ZodType && !names.has(value)) names.set(value, name);
  }
  return names;
}

/** zod writes a standalone document per schema; inside OpenAPI these two keys do not belong. */
const embedded = ({ $schema: _schema, $id: _id, ...rest }: JsonSchema): JsonSchema => rest;

/**
 * Converts the named schemas (the document's components) and the operations' own schemas in one
 * pass of zod's JSON Schema generator, so a named schema inside another becomes a $ref.
 * The input form is used throughout: it is what requests must match, and every answer parses
 * with it too (a field with a default is documented with that default and always sent).
 */
export function convertSchemas(used: Iterable<ZodType>) {
  const names = namedSchemas();
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of names) registry.add(schema, { id });
  const inline = new Map<ZodType, string>();
  for (const schema of used) {
    if (names.has(schema) || inline.has(schema)) continue;
    const id = `${INLINE}${inline.size}`;
    inline.set(schema, id);
    registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, { io: 'input', uri: (id) => COMPONENTS + id });
  const components: Record<string, JsonSchema> = {};
  for (const id of names.values()) components[id] = embedded(schemas[id] as JsonSchema);
  const inlined = new Map([...inline].map(([schema, id]) => [schema, embedded(schemas[id]!)]));
  const nested = JSON.stringify([components, [...inlined.values()]]).match(/__inline\d+/);
  if (nested) {
    // An operation's own schema inside another one would need a name to be referenced by.
    const schema = JSON.stringify(schemas[nested[0]]).slice(0, 300);
    throw new Error(`name this schema (export it from replies.ts), it is nested: ${schema}`);
  }
  const converted = (schema: ZodType) => {
    const name = names.get(schema);
    const json = name ? components[name] : inlined.get(schema);
    if (!json) throw new Error('convertSchemas was not given this schema');
    return { name, json };
  };
  return {
    components,
    /** A $ref for a named schema, the schema itself otherwise. */
    schemaOf(schema: ZodType): JsonSchema {
      const { name, json } = converted(schema);
      return name ? { $ref: COMPONENTS + name } : json;
    },
    /** The converted schema even when it is named: parameters are listed field by field. */
    objectOf: (schema: ZodType) => converted(schema).json,
  };
}
