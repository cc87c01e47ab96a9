/**
 * The logging surface the runtime library needs: pino's `(fields, message)` shape, so a pino logger (or a
 * child of one) can be passed straight in.
 */
export interface KubeLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything; the default when none is given. */
export const silentLogger: KubeLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
