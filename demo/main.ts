/**
 * `npm run demo`: SHAZAM end to end on one machine. Starts the embedded control plane, S3, the operator
 * with the local job runner, the search API and the pages; sends the example delivery through
 * validation, the candidate's rendering, QA and promotion to Published; prints the product page and QA
 * page URLs, and the time from approval to Published.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseDuration } from '../lib/cli/args.ts';
import { type DemoEnvironment, startDemoEnvironment } from './environment.ts';
import { findExampleDeliveries } from './example-delivery.ts';
import { runExampleSubmission } from './run-demo.ts';

const USAGE = `usage: npm run demo -- [options]

  --interactive        wait for you to approve (or reject) in the QA page instead of approving itself
  --keep               keep everything running after Published until Ctrl-C, even without a terminal
  --exit               stop everything once Published (the default when stdin is not a terminal)
  --port <n>           port of the pages server (default 8480; 0 picks a free one)
  --asin <ASIN>        which example delivery of examples/deliveries/ to run (default: the first)
  --timeout <duration> how long to wait for Published (default 15m)`;

function log(line: string): void {
  process.stdout.write(`[demo ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Whether `pid` runs: a process that exited but is not yet reaped (a zombie) does not. */
function processRuns(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    // No /proc (macOS): ask the kernel whether the pid exists.
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
}

/**
 * Calls `onGone` once a process that launched the demo is gone, so that the demo never runs on orphaned
 * (say npm was killed, or a shell between npm and the demo died of a signal without passing it on).
 * scripts/demo.sh names its parent and grandparent in `SHAZAM_DEMO_LAUNCHERS`; without it the parent at
 * start is watched.
 */
function watchLaunchers(fromEnv: string | undefined, onGone: (reason: string) => void): void {
  const named = (fromEnv ?? '')
    .split(/\s+/)
    .filter((word) => /^[1-9][0-9]*$/.test(word))
    .map(Number)
    .filter((pid) => pid > 1);
  const launchers = named.length > 0 ? named : [process.ppid];
  const parentAtStart = process.ppid;
  const check = () => {
    // A dead parent's children are handed to another parent at once, even while it lingers unreaped.
    const gone = process.ppid !== parentAtStart ? parentAtStart : launchers.find((pid) => !processRuns(pid));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(`The launching process ${gone} exited`);
  };
  const timer = setInterval(check, 500);
  timer.unref();
  check();
}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        interactive: { type: 'boolean' },
        keep: { type: 'boolean' },
        exit: { type: 'boolean' },
        port: { type: 'string' },
        asin: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = Number(values.port ?? 8480);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number, got "${values.port}"\n`);
    return 2;
  }
  const examples = await findExampleDeliveries(typeof values.asin === 'string' ? values.asin : undefined);
  const example = examples[0];
  if (!example) {
    process.stderr.write(
      `No example delivery${values.asin ? ` for ${values.asin}` : ''}: examples/deliveries/<ASIN>/ needs an examples/asub-*.yaml with the same spec.asin.\n`,
    );
    return 1;
  }
  const stayUp = values.keep === true || (values.exit !== true && process.stdin.isTTY === true);

  let env: DemoEnvironment | undefined;
  /** The start under way: a shutdown during it waits for it, then stops what it started. */
  let starting: Promise<DemoEnvironment> | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      log(`${reason}: shutting down`);
      const started = env ?? (await starting?.catch(() => undefined));
      await started?.stop();
      log('Stopped everything');
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void shutdown(signal).then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  watchLaunchers(process.env.SHAZAM_DEMO_LAUNCHERS, (reason) => {
    void shutdown(reason).then(() => process.exit(130));
  });

  try {
    log(`Example: ${example.asin} (${example.deliveryDir}, ${example.manifestPath})`);
    starting = startDemoEnvironment({ pagesPort: port, log });
    env = await starting;
    if (stopping) {
      await stopping;
      return 130;
    }
    log(`QA page: ${env.qaUrl}`);
    const outcome = await runExampleSubmission({
      env,
      example,
      interactive: values.interactive === true,
      timeoutMs: parseDuration(typeof values.timeout === 'string' ? values.timeout : '15m', 'timeout'),
      log,
    });
    const published = outcome.published.status?.published;
    log(`Published ${example.asin} version ${published?.version ?? '?'}; the search API returns it`);
    process.stdout.write(
      `\n  Product page: ${outcome.productUrl}\n  QA page:      ${outcome.qaUrl}\n` +
        `  Search API:   ${env.pipeline.searchApiUrl}/v1/assets/${example.asin}\n` +
        `  kubectl:      kubectl --kubeconfig ${env.controlPlane.kubeconfigPath} -n ${env.namespace} get shazam\n\n`,
    );
    if (!stayUp) {
      await shutdown('Done');
      return 0;
    }
    log('Running until Ctrl-C');
    await new Promise(() => {});
    return 0;
  } catch (error) {
    // A shutdown pulls the pipeline from under the run: that is no failure of the demo.
    if (stopping) {
      await stopping;
      return 130;
    }
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    const jobLog = await env?.pipeline.jobRunner.recentLog().catch(() => undefined);
    if (jobLog) process.stderr.write(`\nThe last Job log (${jobLog.path}):\n${jobLog.tail}\n\n`);
    await shutdown('Failed');
    return 1;
  }
}

process.exitCode = await main();
