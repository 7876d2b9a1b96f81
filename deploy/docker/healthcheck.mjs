// The image's HEALTHCHECK: GET /healthz on the port of the service this container runs; exit 0 only on a 200.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';

const defaultPorts = { gateway: 8080, users: 8081, inventory: 8082, orders: 8083, payments: 8084, shipping: 8085 };

/** What the container runs: BAZAAR_SERVICE, else the arguments of its main process (`service <name>`, `up`). */
function runningService() {
  if (process.env.BAZAAR_SERVICE) return process.env.BAZAAR_SERVICE;
  let argv = [];
  try {
    argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
  } catch {}
  if (argv.includes('up')) return 'gateway';
  const at = argv.indexOf('service');
  return at >= 0 ? argv[at + 1] : undefined;
}

const service = runningService();
if (!service) {
  console.log('healthcheck: this container runs no long-lived service (migrate, help); nothing to check');
  process.exit(0);
}
if (!(service in defaultPorts)) {
  console.error(`healthcheck: unknown service "${service}"`);
  process.exit(1);
}
const port = Number(
  (service === 'gateway' ? process.env.PORT : process.env[`${service.toUpperCase()}_PORT`]) || defaultPorts[service],
);
const headers = process.env.INTERNAL_KEY ? { 'x-internal-key': process.env.INTERNAL_KEY } : {};

const req = request({ host: '127.0.0.1', port, path: '/healthz', headers, timeout: 3000 }, (res) => {
  res.resume();
  console.log(`healthcheck: ${service} on :${port} answered ${res.statusCode}`);
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => {
  console.error(`healthcheck: ${service} on :${port}: ${err.message}`);
  process.exit(1);
});
req.end();
