// `bazaar load`: a load generator with a realistic shop mix, pointed at any Bazaar deployment.
import { loadHelp, parseLoadArgs, UsageError } from './options.ts';
import { formatSummary } from './report.ts';
import { runLoad } from './runner.ts';

export { loadHelp } from './options.ts';
export { type LoadSummary, runLoad } from './runner.ts';

/** The command: parses the arguments, runs, prints the table (or JSON); answers the exit code. */
export async function loadCommand(args: string[]): Promise<number> {
  let options: ReturnType<typeof parseLoadArgs>;
  try {
    options = parseLoadArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bazaar load: ${err.message}\nRun "bazaar load --help" for the options.`);
    return 2;
  }
  if (options.help) {
    console.log(loadHelp);
    return 0;
  }
  const tty = process.stderr.isTTY === true;
  let lastPrinted = 0;
  const progress = options.quiet
    ? undefined
    : (line: string, final: boolean) => {
        if (tty) process.stderr.write(final && !line ? '\n' : `\r${line}\x1b[K${final ? '\n' : ''}`);
        else if (final) {
          // The end of a phase (the sign-ups): said once, and the next phase's first line is not held back.
          if (line) process.stderr.write(`${line}\n`);
          lastPrinted = 0;
        } else if (Date.now() - lastPrinted >= 5_000) {
          // Not a terminal (a log file, CI): a line every few seconds instead of a redrawn one.
          lastPrinted = Date.now();
          process.stderr.write(`${line}\n`);
        }
      };
  const signingUp = options.customers > 0 ? `; signing up ${options.customers} customers first…` : '';
  if (!options.quiet)
    process.stderr.write(
      `bazaar load: ${options.url}, ${options.rate === undefined ? `${options.users} users` : `${options.rate}/s`} for ${options.durationMs / 1000} s${signingUp}\n`,
    );
  // The first Ctrl-C stops the run and prints what it measured; a second one quits at once.
  const stop = new AbortController();
  const onInterrupt = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    process.stderr.write('\nbazaar load: stopping (Ctrl-C again quits at once)\n');
  };
  process.on('SIGINT', onInterrupt);
  try {
    const summary = await runLoad(options, { progress, stop: stop.signal });
    if (options.json) console.log(JSON.stringify(summary, null, 2));
    else console.log(formatSummary(summary));
    if (options.json && !options.quiet) for (const hint of summary.hints) console.error(`hint: ${hint}`);
    if (summary.interrupted) return 130;
    return summary.unanswered > 0 ? 1 : 0;
  } catch (err) {
    console.error(`\nbazaar load: ${(err as Error).message}`);
    return stop.signal.aborted ? 130 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
