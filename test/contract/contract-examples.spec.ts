import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as contract from '../../server/contract';

/**
 * examples.json is parsed here with the zod schemas and in gpu-runner/tests with the pydantic
 * mirror, so the two languages cannot drift apart unnoticed.
 */
const examples = JSON.parse(
  readFileSync(new URL('./examples.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

describe('contract examples shared with the gpu-runner', () => {
  it.each(Object.entries(examples))('%s parses unchanged with the zod schema', (name, value) => {
    const schema = (contract as Record<string, unknown>)[name] as
      { parse: (v: unknown) => unknown } | undefined;
    expect(schema, `server/contract exports no schema named ${name}`).toBeDefined();
    expect(schema!.parse(value)).toEqual(value);
  });
});
