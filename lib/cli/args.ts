import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './command.ts';

/** The option declarations of a command, in `node:util` `parseArgs` form. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed arguments: option values by name and the positionals in order. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` strictly against `options`: an unknown option or a missing value becomes a UsageError,
 * so the user sees the command's usage instead of a stack trace.
 */
export function parseCommandArgs(argv: string[], options: OptionSpec): ParsedArgs {
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The string value of option `name`, or undefined when it was not given. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The string value of option `name`; a UsageError naming the option when it is missing. */
export function requiredOption(args: ParsedArgs, name: string): string {
  const value = stringOption(args, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** Whether the boolean option `name` was given. */
export function flagOption(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/**
 * Parses a positive integer option such as `--revision 3`; a UsageError naming the option and the bad
 * value otherwise.
 */
export function positiveIntegerOption(args: ParsedArgs, name: string): number | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new UsageError(`--${name} must be a positive whole number, got "${value}"`);
  }
  return Number(value);
}

/**
 * Parses a duration such as `90s`, `10m` or `1h` (a bare number is seconds) into milliseconds.
 */
export function parseDuration(text: string, name: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${name} must be a duration such as 90s, 10m or 1h, got "${text}"`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return Math.round(amount * factor);
}
