// layerlab — the headless lab: thin commands over the same LabService the app uses.
import { reportError, UsageError } from './cli-error.ts';
import { datasetsCommand, datasetsHelp } from './commands/datasets.ts';
import { insideCommand, insideHelp } from './commands/inside.ts';
import { runsCommand, runsHelp } from './commands/runs.ts';
import { serveCommand, serveHelp } from './commands/serve.ts';
import { summaryCommand, summaryHelp } from './commands/summary.ts';
import { trainCommand, trainHelp } from './commands/train.ts';

const HELP = `Layerlab — draw a network, train it, compare every run.

${summaryHelp}

${trainHelp}

${runsHelp}

${datasetsHelp}

${insideHelp}

${serveHelp}

Data lives in --home DIR, else $LAYERLAB_HOME, else the per-user default (e.g. ~/.local/share/layerlab).`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const out = process.stdout;
  try {
    switch (command) {
      case 'summary':
        return summaryCommand(rest, out);
      case 'train':
        return await trainCommand(rest, out);
      case 'runs':
        return await runsCommand(rest, out);
      case 'datasets':
        return datasetsCommand(rest, out);
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
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return reportError(new UsageError((error as Error).message));
    return reportError(error);
  }
}

process.exitCode = await main(process.argv.slice(2));
