// What a scenario answers: tables for RESULTS.md, raw metrics for results.json, budgets, bars for the chart.
import type { WakeupCost } from './wakeup.ts';

export type Table = { caption?: string; columns: string[]; rows: (string | number)[][] };

export type Budget = {
  name: string;
  target: string;
  actual: string;
  /** null: not measured in this run (a tool or server was missing). */
  met: boolean | null;
};

export type Bar = { label: string; value: number; highlight?: boolean };
export type Chart = { title: string; unit: string; bars: Bar[] };

export type ProfileSummary = {
  process: string;
  durationS: number;
  samples: number;
  /** CPU seconds the process was busy (not idle) in the window. */
  busyS?: number;
  /** Self time by package or area (fastify, undici, jose, node internals, GC, ...), largest first. */
  byArea: { area: string; pct: number }[];
  /** The functions with the most self time. */
  top: { fn: string; where: string; pct: number }[];
  file?: string;
};

export type ScenarioResult = {
  id: string;
  title: string;
  at: string;
  commit: string;
  /** Machine load while it ran: 1-minute load average before and after (it counts the bench's own processes). */
  load: { before: number; after: number };
  /** Other work just before it ran: % of all cores busy over a second, bench idle (lib/machine.ts otherWorkPct). */
  otherWorkPct?: number;
  /** CPU speed check before and after it ran, MB/s (lib/machine.ts cpuSpeedMBps); absent in older results. */
  speed?: { before: number; after: number };
  /** Wake-up check before it ran (lib/wakeup.ts): a trivial request's server CPU kept busy and after idle, µs. */
  wakeup?: WakeupCost;
  skipped?: string;
  tables: Table[];
  metrics: Record<string, number | null>;
  budgets: Budget[];
  notes: string[];
  charts: Chart[];
  profiles: ProfileSummary[];
  opportunities?: string[];
};

export type BenchSettings = {
  durationS: number;
  reps: number;
  warmupS: number;
  /** Scratch space for this run (nginx's prefix, data dirs, profiles). */
  tmp: string;
  profile: boolean;
  /** Order placement: the systems to measure (naive, embedded, cluster); all when absent. */
  systems?: string[];
  log: (line: string) => void;
};

export type Scenario = {
  id: string;
  title: string;
  run(settings: BenchSettings): Promise<Omit<ScenarioResult, 'id' | 'title' | 'at' | 'commit' | 'load'>>;
};

export const emptyResult = () => ({
  tables: [] as Table[],
  metrics: {} as Record<string, number | null>,
  budgets: [] as Budget[],
  notes: [] as string[],
  charts: [] as Chart[],
  profiles: [] as ProfileSummary[],
});
