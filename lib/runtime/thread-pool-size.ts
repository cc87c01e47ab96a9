/**
 * `UV_THREADPOOL_SIZE` for a pod with this Kubernetes CPU quantity (`"2"`, `"1500m"`, `"16"`), so the encode
 * stage's frames each get a libuv thread: one per CPU, rounded up, at least libuv's default 4, at most its
 * 1024. Without a quantity, libuv's default. Pure.
 *
 * @example
 * ```ts
 * threadPoolSizeForCpu('16') // 16
 * threadPoolSizeForCpu('1500m') // 4
 * ```
 */
export function threadPoolSizeForCpu(quantity: string | undefined): number {
  if (quantity === undefined) return 4;
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
  if (!match) return 4;
  const cpus = Number(match[1]) / (match[2] === 'm' ? 1000 : 1);
  return Math.min(1024, Math.max(4, Math.ceil(cpus)));
}
