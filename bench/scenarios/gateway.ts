// Gateway hop: one trivial upstream, reached directly, through nginx (keep-alive upstream), through
// @fastify/http-proxy, and through the Bazaar gateway with JWT verification, rate limiting and tracing on.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from '@bazaar/kit/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { type DriveResult, runAutocannon, runWrk, wrkPath } from '../lib/drive.ts';
import { cpuDelta, type Proc, root, sleep, spawnNode, treeCpu, waitFor } from '../lib/proc.ts';
import { monotonicUs, newestProfile, summarizeProfile } from '../lib/profile.ts';
import { fmt, median, ratio } from '../lib/report.ts';
import { type BenchSettings, emptyResult, type Scenario } from '../lib/types.ts';
import { nginxPath, startNginx } from '../references/nginx.ts';

const PATH = '/api/orders/ord_bench';
const CONNECTIONS = 64;
const NGINX_WORKERS = Number(process.env.BENCH_NGINX_WORKERS ?? 1);
const TURNS_PER_ROUND = 5;

type Target = {
  id: string;
  label: string;
  start(port: number, upstreamPort: number, flags?: string[]): Proc;
  ready: string;
};

export const gatewayScenario: Scenario = {
  id: 'gateway',
  title: 'Gateway hop',
  async run(s: BenchSettings) {
    const result = emptyResult();
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] };
    const token = await new SignJWT({ role: 'customer' })
      .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'JWT' })
      .setSubject('usr_bench')
      .setIssuer('bazaar-users')
      .setAudience('bazaar')
      .setIssuedAt()
      .setExpirationTime('6h')
      .sign(privateKey);
    const headers = { authorization: `Bearer ${token}` };

    const [upstreamPort] = await freePorts(1);
    const upstream = spawnNode('trivial upstream', join(root, 'bench/references/trivial-upstream.ts'), [], {
      PORT: String(upstreamPort),
      BENCH_JWKS: JSON.stringify(jwks),
    });
    const useWrk = wrkPath() !== undefined;
    if (!useWrk)
      result.notes.push(
        'wrk is not installed (apt-get install wrk): driven by autocannon, which costs more CPU per request.',
      );
    const drive = (url: string, durationS: number): Promise<DriveResult> =>
      useWrk
        ? runWrk({ url, connections: CONNECTIONS, threads: 1, durationS, headers })
        : runAutocannon({
            url,
            connections: CONNECTIONS,
            durationS,
            request: { path: new URL(url).pathname, headers },
          });

    const targets: Target[] = [
      { id: 'direct', label: 'direct (no proxy)', start: () => upstream, ready: '/readyz' },
      {
        id: 'nginx',
        label: `nginx ${NGINX_WORKERS} worker${NGINX_WORKERS > 1 ? 's' : ''}, keepalive upstream`,
        start: (port, up) => startNginx({ dir: join(s.tmp, 'nginx'), port, upstreamPort: up, workers: NGINX_WORKERS }),
        ready: '/readyz',
      },
      {
        id: 'fastify',
        label: '@fastify/http-proxy',
        start: (port, up) =>
          spawnNode('@fastify/http-proxy', join(root, 'bench/references/fastify-proxy.ts'), [], {
            PORT: String(port),
            UPSTREAM_URL: `http://127.0.0.1:${up}`,
          }),
        ready: '/readyz',
      },
      {
        id: 'bazaar',
        label: 'Bazaar gateway (JWT, rate limit, tracing)',
        start: (port, up, flags = []) =>
          spawnNode(
            'bazaar gateway',
            join(root, 'bench/references/bazaar-gateway.ts'),
            [],
            { PORT: String(port), UPSTREAM_URL: `http://127.0.0.1:${up}`, LOG_LEVEL: 'warn' },
            flags,
          ),
        ready: '/readyz',
      },
    ];

    type Rep = { rps: number; p50: number; p99: number; cpuUs: number; non2xx: number };
    const rows: Record<string, Rep | null> = {};
    const turnS = Math.max(1, Math.round(s.durationS / TURNS_PER_ROUND));
    const running: { target: Target; proc: Proc; url: string; reps: Rep[] }[] = [];
    try {
      await waitFor(`http://127.0.0.1:${upstreamPort}/readyz`, upstream, 30_000);
      // Every proxy is started and warmed first, then the repetitions take turns (each round in a different order):
      // a machine that slows down or speeds up during the run weighs on every proxy alike, not on whichever ran last.
      for (const target of targets) {
        if (target.id === 'nginx' && !nginxPath()) {
          s.log('  nginx: skipped, nginx is not installed (apt-get install nginx-light)');
          result.notes.push('nginx pair skipped: nginx is not installed (apt-get install nginx-light).');
          rows[target.id] = null;
          continue;
        }
        const [port] = target.id === 'direct' ? [upstreamPort] : await freePorts(1);
        const proc = target.start(port, upstreamPort);
        const base = `http://127.0.0.1:${port}`;
        running.push({ target, proc, url: `${base}${PATH}`, reps: [] });
        await waitFor(`${base}${target.ready}`, proc, 60_000);
        const probe = await fetch(`${base}${PATH}`, { headers });
        await probe.arrayBuffer();
        if (probe.status !== 200) throw new Error(`${target.label} answered ${probe.status} to ${PATH}`);
        s.log(`  ${target.label}: warm-up ${s.warmupS} s`);
        await drive(`${base}${PATH}`, s.warmupS);
      }
      // Each round is cut into short turns: a host whose speed swings within seconds (seen: 2x between 6 s rounds)
      // then weighs on every path alike, and the median of the turns leaves its slow phases out.
      for (let i = 0; i < s.reps * TURNS_PER_ROUND; i++) {
        for (let k = 0; k < running.length; k++) {
          const r = running[(i + k) % running.length];
          const before = treeCpu(r.proc.child.pid!);
          const d = await drive(r.url, turnS);
          const cpu = cpuDelta(before, treeCpu(r.proc.child.pid!));
          r.reps.push({
            rps: d.rps,
            p50: d.p50,
            p99: d.p99,
            cpuUs: (cpu * 1e6) / Math.max(d.ok, 1),
            non2xx: d.non2xx + d.errors,
          });
          s.log(
            `    turn ${i + 1}, ${r.target.label}: ${fmt(d.rps, 0)} req/s, p50 ${fmt(d.p50, 2)} ms, p99 ${fmt(d.p99, 2)} ms, ${d.non2xx + d.errors} non-2xx/errors`,
          );
          await sleep(500);
        }
      }
      for (const { target, reps } of running)
        rows[target.id] = {
          rps: median(reps.map((r) => r.rps)),
          p50: median(reps.map((r) => r.p50)),
          p99: median(reps.map((r) => r.p99)),
          cpuUs: median(reps.map((r) => r.cpuUs)),
          non2xx: reps.reduce((sum, r) => sum + r.non2xx, 0),
        };
      // Within a turn the paths run seconds apart: the ratio of each turn shows how much of the spread is the host's.
      const repsOf = (id: string) => running.find((r) => r.target.id === id)?.reps;
      const [ours, theirs] = [repsOf('bazaar'), repsOf('fastify')];
      if (ours && theirs) {
        const turns = ours.map((r, i) => r.rps / theirs[i].rps).sort((a, b) => a - b);
        result.metrics['ratio.bazaarVsFastify.turnLowest'] = turns[0];
        result.metrics['ratio.bazaarVsFastify.turnMedian'] = median(turns);
        result.metrics['ratio.bazaarVsFastify.turnHighest'] = turns[turns.length - 1];
        result.notes.push(
          `Bazaar ÷ @fastify/http-proxy turn by turn (the two measured seconds apart in each of the ${turns.length} turns): lowest ${fmt(turns[0], 2)}×, median ${fmt(median(turns), 2)}×, highest ${fmt(turns[turns.length - 1], 2)}×. The spread is the host's speed changing between one path's turn and the next.`,
        );
      }
      for (const { target, proc } of running.splice(0)) if (target.id !== 'direct') await proc.stop();

      if (s.profile) {
        s.log(`  profiling the Bazaar gateway (node --cpu-prof) for ${s.durationS} s`);
        const dir = join(s.tmp, 'profile-gateway');
        mkdirSync(dir, { recursive: true });
        const [port] = await freePorts(1);
        const proc = targets[3].start(port, upstreamPort, ['--cpu-prof', '--cpu-prof-dir', dir]);
        const window = { fromUs: 0, toUs: 0 };
        try {
          await waitFor(`http://127.0.0.1:${port}/readyz`, proc, 60_000);
          await drive(`http://127.0.0.1:${port}${PATH}`, Math.min(3, s.warmupS));
          window.fromUs = monotonicUs();
          await drive(`http://127.0.0.1:${port}${PATH}`, s.durationS);
          window.toUs = monotonicUs();
        } finally {
          await proc.stop();
        }
        const file = newestProfile(dir);
        if (file) result.profiles.push(summarizeProfile(file, 'Bazaar gateway under the gateway-hop load', window));
        else result.notes.push('the gateway profile was not written (did the process exit cleanly?)');
      }
    } finally {
      for (const { target, proc } of running) if (target.id !== 'direct') await proc.stop();
      await upstream.stop();
    }

    result.tables.push({
      caption: `GET ${PATH} with a bearer token, ${CONNECTIONS} keep-alive connections, ${useWrk ? 'wrk (1 thread)' : 'autocannon'}; median of ${s.reps * TURNS_PER_ROUND} turns of ${turnS} s (${s.reps} rounds of ${s.durationS} s, cut in ${TURNS_PER_ROUND}), the paths taking turns, after ${s.warmupS} s of warm-up each. CPU per request: the proxy process alone.`,
      columns: ['path', 'req/s', 'p50', 'p99', 'proxy CPU per request', 'vs direct', 'non-2xx/errors'],
      rows: targets.map((t) => {
        const r = rows[t.id];
        if (!r) return [t.label, 'skipped', '', '', '', '', ''];
        return [
          t.label,
          fmt(r.rps, 0),
          `${fmt(r.p50, 2)} ms`,
          `${fmt(r.p99, 2)} ms`,
          t.id === 'direct' ? '(upstream itself)' : `${fmt(r.cpuUs, 1)} µs`,
          t.id === 'direct' ? '1' : ratio(r.rps, rows.direct?.rps),
          r.non2xx,
        ];
      }),
    });
    for (const t of targets) {
      result.metrics[`${t.id}.rps`] = rows[t.id]?.rps ?? null;
      result.metrics[`${t.id}.p50Ms`] = rows[t.id]?.p50 ?? null;
      result.metrics[`${t.id}.p99Ms`] = rows[t.id]?.p99 ?? null;
      result.metrics[`${t.id}.cpuUsPerRequest`] = rows[t.id]?.cpuUs ?? null;
    }
    const vsFastify = rows.bazaar && rows.fastify ? rows.bazaar.rps / rows.fastify.rps : null;
    const vsNginx = rows.bazaar && rows.nginx ? rows.bazaar.rps / rows.nginx.rps : null;
    result.metrics['ratio.bazaarVsFastify'] = vsFastify;
    result.metrics['ratio.bazaarVsNginx'] = vsNginx;
    // The same comparison by CPU per request (the reference's over Bazaar's): what the throughput ratio would be if
    // each proxy had a core to itself, and much less disturbed by other work on the machine.
    const cpuRatio = (ref: string) =>
      rows.bazaar && rows[ref] ? `${fmt(rows[ref]!.cpuUs / rows.bazaar.cpuUs, 2)}×` : '–';
    result.metrics['cpuRatio.bazaarVsFastify'] =
      rows.bazaar && rows.fastify ? rows.fastify.cpuUs / rows.bazaar.cpuUs : null;
    result.metrics['cpuRatio.bazaarVsNginx'] = rows.bazaar && rows.nginx ? rows.nginx.cpuUs / rows.bazaar.cpuUs : null;
    result.budgets.push(
      {
        name: 'Gateway hop vs @fastify/http-proxy (req/s)',
        target: '≥ 2×',
        actual:
          vsFastify === null
            ? 'not measured'
            : `${fmt(vsFastify, 2)}× (${fmt(rows.bazaar!.rps, 0)} vs ${fmt(rows.fastify!.rps, 0)} req/s; by CPU per request ${cpuRatio('fastify')})`,
        met: vsFastify === null ? null : vsFastify >= 2,
      },
      {
        name: 'Gateway hop vs nginx (req/s)',
        target: '≥ 0.45×',
        actual:
          vsNginx === null
            ? 'not measured'
            : `${fmt(vsNginx, 2)}× (${fmt(rows.bazaar!.rps, 0)} vs ${fmt(rows.nginx!.rps, 0)} req/s; by CPU per request ${cpuRatio('nginx')})`,
        met: vsNginx === null ? null : vsNginx >= 0.45,
      },
    );
    result.charts.push({
      title: 'Gateway hop (req/s, higher is better)',
      unit: 'req/s',
      bars: targets
        .filter((t) => rows[t.id])
        .map((t) => ({
          label: t.id === 'bazaar' ? 'Bazaar gateway' : t.id === 'fastify' ? '@fastify/http-proxy' : t.id,
          value: rows[t.id]!.rps,
          highlight: t.id === 'bazaar',
        })),
    });
    if (NGINX_WORKERS === 1)
      result.notes.push(
        'nginx runs one worker process, like the one Node process of each Node proxy (BENCH_NGINX_WORKERS changes it). On 2 cores the load generator, the proxy and the upstream share the CPU, so every figure is lower than on a bigger machine; the ratios are what the budgets judge.',
      );
    return result;
  },
};
