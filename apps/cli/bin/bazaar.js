#!/usr/bin/env node
// The bazaar command: runs the TypeScript entry directly (Node 22.18+ strips types without a build step).
await import('../src/main.ts');
