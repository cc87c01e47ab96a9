import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { startLocalJobRunner } from '../dev/local-job-runner/start-local-job-runner.ts';

const shazamBin = fileURLToPath(new URL('../bin/shazam.js', import.meta.url));

/** Options of {@link startDemoJobRunner}. */
export interface DemoJobRunnerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Extra environment for every Job process: what a pod's ServiceAccount would provide (S3 credentials). */
  env: Record<string, string>;
  /** Where Jobs get their directories and logs. */
  workRoot: string;
}

/** The running local job runner. */
export interface DemoJobRunner {
  /** Where each Job's directory and logs are. */
  workRoot: string;
  /** The last lines of the most recently written Job log, to show why a Job failed. */
  recentLog(lines?: number): Promise<{ path: string; tail: string } | undefined>;
  stop(): Promise<void>;
}

/** Host variables a Job process needs to start at all (Node and Mesa find their libraries through them). */
const PASSED_THROUGH = ['PATH', 'LANG', 'LD_LIBRARY_PATH', 'EGL_PLATFORM', 'NODE_OPTIONS'] as const;

/**
 * Starts operator/local-job-runner for the demo namespace: it plays kubelet and the Job controller,
 * running each Job the operator creates as a local process with the pod template's command (`shazam` →
 * this clone's bin/shazam.js), args and env, and writing the Job's status back.
 */
export async function startDemoJobRunner(options: DemoJobRunnerOptions): Promise<DemoJobRunner> {
  const baseEnv: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const value = process.env[name];
    if (value !== undefined) baseEnv[name] = value;
  }
  const runner = await startLocalJobRunner({
    kubeConfig: options.kubeConfig,
    namespaces: [options.namespace],
    commandMap: { shazam: [process.execPath, shazamBin] },
    baseEnv: { ...baseEnv, ...options.env },
    workRoot: options.workRoot,
    concurrency: 2,
    retryBackoff: { initialMs: 1000, maxMs: 10_000 },
  });
  return {
    workRoot: runner.workRoot,
    recentLog: (lines = 15) => newestLog(runner.workRoot, lines),
    stop: () => runner.stop(),
  };
}

async function newestLog(root: string, lines: number): Promise<{ path: string; tail: string } | undefined> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  let newest: { path: string; mtime: number } | undefined;
  for (const entry of entries) {
    if (!/attempt-\d+\.log$/.test(entry)) continue;
    const path = join(root, entry);
    const mtime = (await stat(path)).mtimeMs;
    if (!newest || mtime > newest.mtime) newest = { path, mtime };
  }
  if (!newest) return undefined;
  const text = await readFile(newest.path, 'utf8');
  return { path: newest.path, tail: text.trimEnd().split('\n').slice(-lines).join('\n') };
}
