import type { KubeConfig } from '@kubernetes/client-node';

/** Options of {@link startDemoJobRunner}. */
export interface DemoJobRunnerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Extra environment for every Job process: what a pod's ServiceAccount would provide (S3 credentials). */
  env: Record<string, string>;
  log: (line: string) => void;
}

/** The running local job runner. */
export interface DemoJobRunner {
  stop(): Promise<void>;
}

/** What the demo needs from operator/local-job-runner's `startLocalJobRunner`. */
interface LocalJobRunnerModule {
  startLocalJobRunner(options: Record<string, unknown>): Promise<{ stop(): Promise<void> }>;
}

/**
 * Starts operator/local-job-runner: it plays kubelet and the Job controller, running each Job the
 * operator creates as a local process with the pod template's command, args and env, and writing the
 * Job's status back.
 */
export async function startDemoJobRunner(options: DemoJobRunnerOptions): Promise<DemoJobRunner> {
  const path = '../operator/local-job-runner/index.ts';
  let module: LocalJobRunnerModule;
  try {
    module = (await import(path)) as LocalJobRunnerModule;
  } catch (error) {
    throw new Error(
      `the local job runner (operator/local-job-runner/) is not available: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return module.startLocalJobRunner({
    kubeConfig: options.kubeConfig,
    namespaces: [options.namespace],
    env: options.env,
  });
}
