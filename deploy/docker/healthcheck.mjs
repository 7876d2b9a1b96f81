// The image's HEALTHCHECK: GET /healthz on the port of the service this container runs (exit 0 only on a 200);
// for the payment sandboxes, both simulators accepting connections.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';

const env = process.env;
const ports = {
  gateway: env.PORT || 8080,
  users: env.USERS_PORT || 8081,
  inventory: env.INVENTORY_PORT || 8082,
  orders: env.ORDERS_PORT || 8083,
  payments: env.PAYMENTS_PORT || 8084,
  shipping: env.SHIPPING_PORT || 8085,
};

/** What the container runs: BAZAAR_SERVICE, else the arguments of its main process (`service <name>`, `up`). */
function runningService() {
  if (env.BAZAAR_SERVICE) return env.BAZAAR_SERVICE;
  let argv = [];
  try {
    argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
  } catch {}
  if (argv.includes('up')) return 'gateway';
  const at = argv.indexOf('service');
  return at >= 0 ? argv[at + 1] : undefined;
}

const healthy = (what) => {
  console.log(`healthcheck: ${what}`);
  process.exit(0);
};
const unhealthy = (what) => {
  console.error(`healthcheck: ${what}`);
  process.exit(1);
};

const service = runningService();
if (!service) healthy('this container runs no long-lived service (migrate, help); nothing to check');

if (service === 'sandboxes') {
  const sandboxPorts = [env.JAZZCASH_SANDBOX_PORT || 8091, env.EASYPAISA_SANDBOX_PORT || 8092];
  const open = (port) =>
    new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port), timeout: 3000 });
      socket.on('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
      socket.on('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
  const results = await Promise.all(sandboxPorts.map(open));
  if (results.every(Boolean)) healthy(`sandboxes listen on ${sandboxPorts.join(', ')}`);
  unhealthy(`sandboxes: not listening on every port of ${sandboxPorts.join(', ')}`);
}

if (!Object.hasOwn(ports, service)) unhealthy(`unknown service "${service}"`);
const port = Number(ports[service]);
const req = request({ host: '127.0.0.1', port, path: '/healthz', timeout: 3000 }, (res) => {
  res.resume();
  if (res.statusCode === 200) healthy(`${service} on :${port} answered 200`);
  unhealthy(`${service} on :${port} answered ${res.statusCode}`);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', (err) => unhealthy(`${service} on :${port}: ${err.message}`));
req.end();
