import type { KubeConfig } from '@kubernetes/client-node';
import { createS3Client, type S3ConnectionConfig, s3ConnectionToEnv } from '../lib/storage/s3-client.ts';
import { parseOperatorConfig } from '../operator/config.ts';
import { createJsonLogger } from '../operator/logger.ts';
import { type OperatorHandle, startOperator } from '../operator/operator.ts';
import { loadSearchApiConfig } from '../search-api/config.ts';
import { type RunningSearchApi, startSearchApi } from '../search-api/server.ts';
import { type DemoJobRunner, startDemoJobRunner } from './job-runner.ts';

/** Options of {@link startPipeline}. */
export interface PipelineOptions {
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  namespace: string;
  s3Connection: S3ConnectionConfig;
  incomingBucket: string;
  assetsBucket: string;
  /** Where the pages server serves the assets bucket: the published URLs start with it. */
  publicBaseUrl: string;
  /** A directory for the Jobs' working directories and logs; deleted by the caller. */
  workRoot: string;
  log: (line: string) => void;
}

/** The running operator, local job runner and search API. */
export interface RunningPipeline {
  operator: OperatorHandle;
  searchApiUrl: string;
  searchApi: RunningSearchApi;
  jobRunner: DemoJobRunner;
  stop(): Promise<void>;
}

/** Writes the operator's and search API's JSON logs to nowhere: the demo prints its own progress lines. */
const quiet = { write: () => {} };

/**
 * Starts SHAZAM's programs the way a cluster would run them, on this machine: the operator (one
 * replica, no leader election, software rendering allowed since no GPU node exists), the local job
 * runner that plays kubelet for the Jobs the operator creates, and the search API.
 *
 * Guarantees: on a failed start the parts already started are stopped.
 */
export async function startPipeline(options: PipelineOptions): Promise<RunningPipeline> {
  const { s3Connection } = options;
  const config = parseOperatorConfig({
    namespaces: [options.namespace],
    s3: {
      endpoint: s3Connection.endpoint,
      region: s3Connection.region ?? 'us-east-1',
      forcePathStyle: true,
      incomingBucket: options.incomingBucket,
      assetsBucket: options.assetsBucket,
      publicBaseUrl: options.publicBaseUrl,
    },
    jobs: { allowSoftwareRender: true },
    leaderElection: { enabled: false },
    server: { host: '127.0.0.1', metricsPort: 0, healthPort: 0 },
    resyncSeconds: 30,
    logLevel: 'warn',
  });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };
  try {
    const operatorS3 = createS3Client(s3Connection);
    const operator = await startOperator({
      config,
      kubeConfig: options.kubeConfig,
      s3: operatorS3,
      log: createJsonLogger('warn', quiet),
      serveHttp: false,
    });
    stops.push(async () => {
      await operator.stop(5_000);
      operatorS3.destroy();
    });
    await operator.synced;
    options.log('Operator started (watching namespace ' + options.namespace + ')');

    // Pods get S3 credentials from their ServiceAccount in a cluster (IRSA); here the runner hands them in.
    const jobRunner = await startDemoJobRunner({
      kubeConfig: options.kubeConfig,
      namespace: options.namespace,
      env: s3ConnectionToEnv(s3Connection),
      workRoot: options.workRoot,
    });
    stops.push(() => jobRunner.stop());
    options.log("Local job runner started (runs the operator's Jobs as local processes)");

    const searchConfig = loadSearchApiConfig(
      [
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--metrics-port',
        '0',
        '--kubeconfig',
        options.kubeconfigPath,
        '--namespaces',
        options.namespace,
        '--cdn-base-url',
        options.publicBaseUrl,
        '--rate-limit',
        '0',
        '--shutdown-grace-ms',
        '2000',
        '--log-level',
        'warn',
      ],
      s3ConnectionToEnv(s3Connection),
    );
    const searchApi = await startSearchApi(searchConfig, { env: {} });
    stops.push(() => searchApi.close());
    options.log(`Search API at ${searchApi.url}`);
    return { operator, searchApi, searchApiUrl: searchApi.url, jobRunner, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
