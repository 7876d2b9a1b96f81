// PostgreSQL's LISTEN on a connection of its own, outside the pool: the NOTIFYs of every session of the database,
// each delivered once its transaction commits. A lost connection is opened again, and the caller told so.
import type { ServerListener } from './db.ts';

type Pg = typeof import('pg').default;
type Client = import('pg').Client;

/** The longest wait between two attempts to open a lost listening connection again. */
const MAX_BACKOFF_MS = 5000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

export async function listenOnServer(
  pg: Pg,
  url: string,
  channel: string,
  listener: ServerListener,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: Client | undefined;

  const open = async (): Promise<Client> => {
    // keepAlive from 10 s: a peer gone silent (a cut network) is found in about a minute, not in hours.
    const c = new pg.Client({
      connectionString: url,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: `listen ${channel}`,
    });
    c.on('notification', (n) => {
      if (n.channel === channel) listener.onPayload(n.payload ?? '');
    });
    c.on('error', () => {}); // a broken connection also ends, and 'end' opens it again
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    c.once('end', () => void reopen());
    return c;
  };

  const reopen = async () => {
    for (let backoff = 100; !stopped; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      await pause(backoff);
      if (stopped) return;
      const c = await open().catch(() => undefined);
      if (!c) continue;
      if (stopped) return void (await c.end().catch(() => {}));
      client = c;
      // What was sent while no connection listened is lost: the caller catches up.
      listener.onReconnect();
      return;
    }
  };

  client = await open();
  return async () => {
    stopped = true;
    await client?.end().catch(() => {});
  };
}
