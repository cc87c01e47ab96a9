/**
 * `npm run demo`: SHAZAM end to end on one machine. Starts the embedded control plane, S3, the operator
 * with the local job runner, the search API and the pages; sends the example delivery through
 * validation, QA, promotion and rendering to Published; prints the product page and QA page URLs.
 */
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
  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      log(`${reason}: shutting down`);
      await env?.stop();
      log('Stopped everything');
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void shutdown(signal).then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    log(`Example: ${example.asin} (${example.deliveryDir}, ${example.manifestPath})`);
    env = await startDemoEnvironment({ pagesPort: port, log });
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
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    const jobLog = await env?.pipeline.jobRunner.recentLog().catch(() => undefined);
    if (jobLog) process.stderr.write(`\nThe last Job log (${jobLog.path}):\n${jobLog.tail}\n\n`);
    await shutdown('Failed');
    return 1;
  }
}

process.exitCode = await main();
