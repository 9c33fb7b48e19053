import { config } from 'zod';

// Zod compiles its object parsers with `new Function` where it may, and probes for that once.
// The app's content security policy forbids eval, so the probe would be reported as a violation
// on every load. Each entry (hooks.client.ts, every worker that parses) imports this first, so it
// runs before any schema is built: parsing stays the same, only uncompiled.
config({ jitless: true });
