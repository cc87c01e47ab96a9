import { join } from 'node:path';
import type { V1Job } from '@kubernetes/client-node';

/** How one Job's first container runs as a local process. */
export interface ProcessSpec {
  /** The executable. */
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Directories to create first: the working directory and one per emptyDir volume. */
  directories: string[];
  /**
   * The local file that stands for the container's `terminationMessagePath` (default
   * `/dev/termination-log`): the path in args and env is rewritten to it, and the runner reads it as the
   * kubelet reads the termination message.
   */
  terminationMessagePath: string;
  /** The container's `terminationMessagePolicy` (`File` by default). */
  terminationMessagePolicy: 'File' | 'FallbackToLogsOnError';
}

/** Raised when a Job cannot run locally; the message says why. Code for logs and Events. */
export class LocalJobSpecError extends Error {
  override name = 'LocalJobSpecError';
  readonly code = 'LOCAL_JOB_UNSUPPORTED';
}

/** Inputs of {@link buildProcessSpec}. */
export interface BuildProcessSpecInput {
  job: V1Job;
  /** The container's env, resolved (valueFrom looked up) and in declaration order. */
  env: { name: string; value: string }[];
  /** Maps a container's `command[0]` to the local argv that replaces it. */
  commandMap: Readonly<Record<string, readonly string[]>>;
  /** Run commands not in the map as they are (found on PATH) instead of refusing them. */
  allowUnmapped: boolean;
  /** This Job's own directory. */
  workDir: string;
  /** Environment every process starts from (PATH, HOME…); the container's env overrides it. */
  baseEnv: Readonly<Record<string, string>>;
}

/** Expands `$(NAME)` references the way the kubelet does; `$$(NAME)` escapes to a literal `$(NAME)`. */
export function expandReferences(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && name in vars ? (vars[name] as string) : match;
  });
}

/**
 * Builds the local process for a Job's first container: its command + args (through the command map),
 * env with `$(VAR)` references expanded, and a directory for each emptyDir volume.
 *
 * Guarantees: paths under an emptyDir's mountPath that appear in args, env values or `workingDir` are
 * rewritten to the volume's local directory, and a mount at `/tmp` also sets `TMPDIR`, so a program that
 * writes to its scratch mount writes into the Job's directory instead of the host's root.
 *
 * Caveats: only the first container runs; volumes other than emptyDir are not mounted; a path built at run
 * time from a mountPath (not present literally in args or env) is not rewritten.
 */
export function buildProcessSpec(input: BuildProcessSpecInput): ProcessSpec {
  const { job } = input;
  const name = `${job.metadata?.namespace}/${job.metadata?.name}`;
  const podSpec = job.spec?.template?.spec;
  const container = podSpec?.containers?.[0];
  if (!container) throw new LocalJobSpecError(`Job ${name} has no container to run.`);
  const command = [...(container.command ?? []), ...(container.args ?? [])];
  if (!container.command || container.command.length === 0) {
    throw new LocalJobSpecError(
      `Job ${name} has no command; the local runner cannot know image ${container.image}'s entrypoint. Set the container's command.`,
    );
  }

  const mounts = new Map<string, string>();
  const emptyDirs = new Set((podSpec?.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
  for (const mount of container.volumeMounts ?? []) {
    if (emptyDirs.has(mount.name))
      mounts.set(mount.mountPath.replace(/\/+$/, '') || '/', join(input.workDir, 'volumes', mount.name));
  }
  const terminationPath = container.terminationMessagePath || '/dev/termination-log';
  const terminationLocal = join(input.workDir, 'termination-log');
  const rewrite = (value: string): string => {
    if (value === terminationPath) return terminationLocal;
    for (const [mountPath, local] of mounts) {
      if (value === mountPath) return local;
      if (value.startsWith(`${mountPath}/`)) return local + value.slice(mountPath.length);
    }
    return value;
  };

  const vars: Record<string, string> = {};
  for (const { name: key, value } of input.env) vars[key] = rewrite(expandReferences(value, vars));
  const tmp = mounts.get('/tmp');
  const env: Record<string, string> = { ...input.baseEnv, ...(tmp ? { TMPDIR: tmp } : {}), ...vars };
  const argv = command.map((part) => rewrite(expandReferences(part, vars)));

  const [program, ...rest] = argv as [string, ...string[]];
  const mapped = input.commandMap[program];
  let file: string;
  let args: string[];
  if (mapped && mapped.length > 0) {
    [file, ...args] = [...mapped, ...rest] as [string, ...string[]];
  } else if (input.allowUnmapped) {
    file = program;
    args = rest;
  } else {
    throw new LocalJobSpecError(
      `Job ${name} runs "${program}", which the local runner's command map does not know; add it to the map (known: ${Object.keys(input.commandMap).join(', ') || 'none'}).`,
    );
  }
  const cwd = container.workingDir ? rewrite(container.workingDir) : input.workDir;
  const directories = [input.workDir, ...mounts.values()];
  if (cwd !== input.workDir && cwd.startsWith(input.workDir)) directories.push(cwd);
  return {
    file,
    args,
    env,
    cwd: cwd.startsWith(input.workDir) ? cwd : input.workDir,
    directories,
    terminationMessagePath: terminationLocal,
    terminationMessagePolicy:
      container.terminationMessagePolicy === 'FallbackToLogsOnError' ? 'FallbackToLogsOnError' : 'File',
  };
}
