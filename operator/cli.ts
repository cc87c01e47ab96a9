/**
 * `shazam operator --config <file>`: runs the operator until SIGTERM or SIGINT, then shuts down gracefully
 * (stops taking work, finishes in-flight reconciles, releases the Lease).
 */
import { parseArgs } from 'node:util';
import type { CliCommand } from '../lib/cli/command.ts';
import { UsageError } from '../lib/cli/command.ts';
import { loadKubeConfig } from '../lib/kube/kubeconfig.ts';
import { loadOperatorConfig, OperatorConfigError } from './config.ts';
import { createJsonLogger } from './logger.ts';
import { startOperator } from './operator.ts';

const USAGE = `usage: shazam operator [--config <file.yaml>] [--kubeconfig <file>]

Runs the SHAZAM operator: reconciles AssetSubmissions, QAReviews and RenderJobs.

  --config <file>       operator configuration (YAML; see docs/operator.md). Environment variables override it.
  --kubeconfig <file>   kubeconfig to use; default: $KUBECONFIG, ~/.kube/config, then in-cluster.`;

/** The `shazam operator` command. */
export const command: CliCommand = {
  summary: 'run the operator (controllers, leader election, metrics, health)',
  usage: USAGE,
  async run(argv, io) {
    let values: { config?: string; kubeconfig?: string };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: { config: { type: 'string' }, kubeconfig: { type: 'string' } },
        allowPositionals: false,
      }));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    let config: ReturnType<typeof loadOperatorConfig>;
    try {
      config = loadOperatorConfig({ path: values.config, env: io.env });
    } catch (error) {
      if (error instanceof OperatorConfigError) {
        io.stderr(`shazam operator: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
    const log = createJsonLogger(config.logLevel);
    const kubeConfig = loadKubeConfig({ path: values.kubeconfig, env: io.env });
    const operator = await startOperator({ config, kubeConfig, log });
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal }, 'Shutting down');
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        resolve();
      };
      const onTerm = () => stop('SIGTERM');
      const onInt = () => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
    await operator.stop();
    return 0;
  },
};
