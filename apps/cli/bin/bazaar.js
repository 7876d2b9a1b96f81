#!/usr/bin/env node
// The bazaar command: runs the TypeScript entry directly (Node 22.18+ strips types without a build step).
// The compile cache is turned on here, before the first TypeScript module, so that the entry too comes from it:
// a start that strips no types never loads the type stripper (about 0.1 s). main.ts turns it on for direct runs.
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('../src/main.ts');
