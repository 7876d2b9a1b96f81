// Crash points for fault tests, after FreeBSD's and TiKV's failpoints: the process SIGKILLs itself the nth time it
// passes a named point, as a crash at that exact moment would. Off unless the platform names a point.
import { closeSync, openSync } from 'node:fs';

/** Where a service can die on purpose: after the broker confirmed an event but before the outbox marked it sent,
 * and after a consumer's effect committed but before the broker got the ack. */
export type CrashPointName = 'outbox-published' | 'consumer-handled';

export type CrashPoint = (point: CrashPointName) => void;

let armed: CrashPoint = () => {};

/** armCrashPoint sets this process's crash point (serviceDefaults does, from the platform's settings). */
export function armCrashPoint(service: string, setting?: string, onceFile?: string): void {
  armed = crashPoint(service, setting, onceFile);
}

/** passCrashPoint marks that the process is at `point`: a no-op unless a crash point is armed there. */
export const passCrashPoint: CrashPoint = (point) => armed(point);

/**
 * crashPoint reads `<service>/<point>@<n>` (CRASH_AT). When onceFile is given, the first process to get there
 * creates it and dies; the others (its replicas) find it and go on, so one replica dies, not all of them.
 */
export function crashPoint(service: string, setting?: string, onceFile?: string): CrashPoint {
  const m = setting ? /^([\w-]+)\/([\w-]+)@(\d+)$/.exec(setting) : null;
  if (setting && !m) throw new Error(`CRASH_AT must read <service>/<point>@<n>, not "${setting}"`);
  if (!m || m[1] !== service) return () => {};
  const [, , target, nth] = m;
  let passes = 0;
  return (point) => {
    if (point !== target || ++passes !== Number(nth)) return;
    if (onceFile) {
      try {
        closeSync(openSync(onceFile, 'wx'));
      } catch {
        return; // another replica crashed here already
      }
    }
    process.kill(process.pid, 'SIGKILL');
  };
}
