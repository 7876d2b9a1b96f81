#!/usr/bin/env node
// The bazaar command: runs the TypeScript entry directly, which needs Node 22.19+ (types stripped without a flag
// since 22.18, and undici 8 asks for 22.19) or 23.6+. An older Node is told so here, before anything it lacks is
// loaded (a static import of node:module's enableCompileCache would fail as a SyntaxError before any line ran).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19) || (major === 23 && minor < 6)) {
  console.error(
    `Bazaar needs Node 22.19 or newer (23.6 or newer on Node 23); this is Node ${process.versions.node}. Run it with npm start / npm run bazaar, which use the project's own Node 24.`,
  );
  process.exit(1);
}

// The compile cache is turned on here, before the first TypeScript module, so that the entry too comes from it:
// a start that strips no types never loads the type stripper (about 0.1 s). main.ts turns it on for direct runs.
const { enableCompileCache } = await import('node:module');
enableCompileCache();
await import('../src/main.ts');
