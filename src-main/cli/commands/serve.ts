import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { resolveLabHome } from '../../lab/home.ts';
import { LabService } from '../../lab/service/lab-service.ts';
import { startWebBridge } from '../../web/web-bridge.ts';
import { UsageError } from '../cli-error.ts';
import { ensurePage, RENDERER_DIR, SOURCE_CHECKOUT } from '../renderer-page.ts';
import { intFlag } from '../flags.ts';

export const serveHelp = `layerlab serve [--host 127.0.0.1] [--port N] [--home DIR] [--open] [--allow-remote]
  Serves the app to a browser on this machine, guarded by a token (printed in the URL).
  Binding another host than loopback needs --allow-remote.`;

function openBrowser(url: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`Could not open a browser (${command}); open the URL above yourself.\n`));
  child.unref();
}

export async function serveCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { host: { type: 'string' }, port: { type: 'string' }, home: { type: 'string' }, open: { type: 'boolean' }, 'allow-remote': { type: 'boolean' } },
  });
  const port = intFlag('port', values.port) ?? 8765;
  if (port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, got "${values.port}"`);
  const home = resolveLabHome(values.home);
  ensurePage(SOURCE_CHECKOUT, (line) => process.stderr.write(`${line}\n`));
  // serve runs the lab's sweep queue, as the app does.
  const service = await LabService.open({ home, processKind: 'layerlab serve', runSweeps: true });
  let bridge;
  try {
    bridge = await startWebBridge({
      service,
      host: values.host ?? '127.0.0.1',
      port,
      staticDir: RENDERER_DIR,
      allowRemote: values['allow-remote'] ?? false,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    await service.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use; pick another with --port (0 = any free port)`);
    throw new UsageError((error as Error).message);
  }
  out.write(`Layerlab is serving the lab in ${home}\nOpen: ${bridge.url}\n(Ctrl-C to stop)\n`);
  service.warmUp();
  if (values.open) openBrowser(bridge.url);
  const opened = bridge;
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  out.write('Stopping: running trainers finish their batch and are saved…\n');
  await opened.close();
  await service.close();
  return 0;
}
