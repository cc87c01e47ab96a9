/**
 * The termination message of a Job's program: one `CODE: message` line the kubelet puts in the pod's status
 * (`state.terminated.message`), where the operator reads why the Job failed. Programs write it on failure;
 * the pod spec's `FallbackToLogsOnError` covers a program that dies before it can.
 */
import { writeFile } from 'node:fs/promises';

/** Where Kubernetes reads a container's termination message unless the pod spec says otherwise. */
export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
/** The kubelet keeps at most this many bytes of a termination message. */
const TERMINATION_MESSAGE_MAX = 4096;

/** `CODE: message` of a failure, cut to what the kubelet keeps. */
export function terminationMessage(error: unknown): string {
  const code = (error as { code?: unknown }).code ?? (error as { name?: unknown }).name;
  const message = error instanceof Error ? error.message : String(error);
  const text = typeof code === 'string' && code !== 'Error' ? `${code}: ${message}` : message;
  return Buffer.from(text, 'utf8').subarray(0, TERMINATION_MESSAGE_MAX).toString('utf8');
}

/**
 * Writes the termination message at `$SHAZAM_TERMINATION_MESSAGE_PATH` (default
 * {@link DEFAULT_TERMINATION_MESSAGE_PATH}). Best effort: outside a pod the file may not be writable, and
 * the log still says the same.
 */
export async function writeTerminationMessage(
  env: Readonly<Record<string, string | undefined>>,
  message: string,
): Promise<void> {
  const path = env.SHAZAM_TERMINATION_MESSAGE_PATH || DEFAULT_TERMINATION_MESSAGE_PATH;
  try {
    await writeFile(path, message);
  } catch {
    // Not in a container with a termination message file.
  }
}
