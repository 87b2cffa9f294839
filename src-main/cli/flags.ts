// Flag values read strictly: a number flag takes plain decimal digits only (no "0x2", "2e3",
// "" or " 5", which Number() would quietly accept), and an enum flag one of its values.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;
import { UsageError } from './cli-error.ts';

const INTEGER = /^-?\d+$/;
/** Decimal with an optional exponent: learning rates are written 1e-3 as often as 0.001. */
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

/** An integer flag, or undefined when absent; anything but decimal digits is a usage error. */
export function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = INTEGER.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`--${name} must be an integer in decimal digits, got "${value}"`);
  return n;
}

/** A decimal number flag (0.01, 1e-3), or undefined when absent. */
export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = DECIMAL.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a decimal number, got "${value}"`);
  return n;
}

/** One of an enum's values, or undefined when absent; any other value is a usage error naming them all. */
export function enumFlag<const T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** `SUB ARGS…` of a command with subcommands: the subcommand, and the rest parsed strictly, positionals allowed. */
export function parseSubcommand<const O extends ParseArgsOptions>(
  argv: string[],
  options: O,
): { sub: string | undefined } & ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O }>> {
  const [sub, ...rest] = argv;
  return { sub, ...parseArgs({ args: rest, allowPositionals: true, strict: true, options }) };
}
