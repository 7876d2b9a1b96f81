// `bazaar service <name>` as cluster mode and containers run it: the broker's lines are the service's own, in its
// output and in the log store the console reads (/internal/ops/logs), for RabbitMQ and for NATS alike.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dropNamespace } from '@bazaar/kit/namespace';
import { brokerOrSkip, NATS_URL, postgresOrSkip, RABBITMQ_URL } from '@bazaar/kit/testing';
import { describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from './services.ts';

const bin = fileURLToPath(new URL('../bin/bazaar.js', import.meta.url));
const postgres = await postgresOrSkip();
const brokers = postgres
  ? [
      { name: 'RabbitMQ', url: await brokerOrSkip(RABBITMQ_URL), line: 'rabbitmq connected' },
      { name: 'NATS', url: await brokerOrSkip(NATS_URL), line: 'nats connected' },
    ]
  : [];

/** `bazaar service shipping` over the broker at `brokerUrl`, in a namespace of its own, with `env` besides. */
function shipping(brokerUrl: string, env: Record<string, string>) {
  const namespace = `svc_${randomUUID().slice(0, 8)}`;
  const child = spawn(process.execPath, [bin, 'service', 'shipping'], {
    env: { ...process.env, DATABASE_URL: postgres!, BROKER_URL: brokerUrl, BAZAAR_NAMESPACE: namespace, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, namespace };
}

describe.each(brokers.filter((b) => b.url))('a service process over $name', ({ url, line }) => {
  it('whose start fails (its port taken) says why and exits 1, though connected to the broker', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as AddressInfo;
    const { child, namespace } = shipping(url!, { INTERNAL_KEY: randomUUID(), SHIPPING_PORT: String(port) });
    try {
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk;
      });
      const code = await new Promise((r) => child.once('close', r));
      expect(code).toBe(1);
      expect(err).toContain('EADDRINUSE');
    } finally {
      child.kill('SIGKILL');
      taken.close();
      await dropNamespace(namespace, { postgresUrl: postgres!, brokerUrl: url! }, SERVICE_NAMES);
    }
  }, 60_000);

  it("keeps the broker's lines in its own log store, under its own name", async () => {
    const key = randomUUID();
    const { child, namespace } = shipping(url!, { INTERNAL_KEY: key, SHIPPING_PORT: '0', LOG_LEVEL: 'info' });
    try {
      // Its address, from the line that says it listens.
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk;
          const listening = out.match(/"address":"(http:[^"]+)","msg":"service listening"/);
          if (listening) resolve(listening[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const res = await fetch(`${address}/internal/ops/logs?limit=500`, { headers: { 'x-internal-key': key } });
      const { items } = (await res.json()) as { items: { service: string; msg: string }[] };
      expect(items.filter((l) => l.msg === line).map((l) => l.service)).toEqual(['shipping']);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await dropNamespace(namespace, { postgresUrl: postgres!, brokerUrl: url! }, SERVICE_NAMES);
    }
  }, 60_000);
});
