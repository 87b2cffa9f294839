// layerlab — the headless lab: thin commands over the same LabService the app uses.
import { reportError, UsageError } from './cli-error.ts';
import { datasetsCommand, datasetsHelp } from './commands/datasets.ts';
import { insideCommand, insideHelp } from './commands/inside.ts';
import { runsCommand, runsHelp } from './commands/runs.ts';
import { serveCommand, serveHelp } from './commands/serve.ts';
import { summaryCommand, summaryHelp } from './commands/summary.ts';
import { sweepCommand, sweepHelp } from './commands/sweep.ts';
import { trainCommand, trainHelp } from './commands/train.ts';

const HELP = `Layerlab — draw a network, train it, compare every run.

${summaryHelp}

${trainHelp}
${sweepHelp}

${runsHelp}

${datasetsHelp}

${insideHelp}

${serveHelp}

Data lives in --home DIR, else $LAYERLAB_HOME, else the per-user default (e.g. ~/.local/share/layerlab).`;

/**
 * `layerlab runs list | head -1`: the reader closed the pipe. That is not an error of ours;
 * stop quietly instead of dying on an unhandled EPIPE with a stack trace.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/** Runs one command line; output goes to `out`, user errors to `err`. Returns the exit code. */
export async function main(argv: string[], out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'summary':
        return summaryCommand(rest, out);
      case 'train':
        return await trainCommand(rest, out);
      case 'runs':
        return await runsCommand(rest, out);
      case 'sweep':
        return await sweepCommand(rest, out);
      case 'datasets':
        return await datasetsCommand(rest, out);
      case 'inside':
        return await insideCommand(rest, out);
      case 'serve':
        return await serveCommand(rest, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.write(`${HELP}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}" (try layerlab help)`);
    }
  } catch (error) {
    // parseArgs throws TypeErrors with codes for unknown or malformed options: user mistakes.
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return reportError(new UsageError((error as Error).message), err);
    return reportError(error, err);
  }
}

/** The `layerlab` process: this process's arguments and streams, its exit code. */
export async function runCommandLine(): Promise<void> {
  quietOnClosedPipe(process.stdout);
  process.exitCode = await main(process.argv.slice(2));
}
