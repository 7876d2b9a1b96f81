// The image's entry point: the bazaar command line; with no arguments it runs the service named by BAZAAR_SERVICE.
if (process.argv.length <= 2) {
  const name = process.env.BAZAAR_SERVICE;
  if (!name) {
    console.error('bazaar image: give a command (for example `service orders`) or set BAZAAR_SERVICE');
    process.exit(2);
  }
  process.argv.push('service', name);
}
await import('../../apps/cli/src/main.ts');
