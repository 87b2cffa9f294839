// layerlab inside: what a trained network does with one image, layer by layer (the Draw view's
// activations and saliency, headless).
import { parseArgs } from 'node:util';
import { parseCommandInput, SALIENCY_METHODS, type ImageInspection } from '../../../src-shared/index.ts';
import { acceptsMnistInput, preprocessToMnist } from '../../../src-shared/mnist-preprocess.ts';
import { resolveLabHome } from '../../lab/home.ts';
import { LabService } from '../../lab/service/lab-service.ts';
import { UsageError } from '../cli-error.ts';
import { readImageFile } from '../read-image.ts';

export const insideHelp = `layerlab inside RUN --image FILE.png [--epoch N] [--saliency gradient-x-input|integrated-gradients] [--json]
  Run one image (made MNIST-like, as Draw does) through a run's final weights (or epoch N's
  checkpoint): per layer its output shape and activation statistics, the top class, and the
  saliency map (gradient × input of the top class's score, one number per pixel).`;

const fixed = (x: number) => (x >= 0 ? ' ' : '') + x.toFixed(4);

/** The saliency as rows of the image grid, for reading and for JSON. */
function saliencyRows(result: ImageInspection): number[][] {
  const [height, width] = result.saliency.shape;
  return Array.from({ length: height }, (_, y) => result.saliency.values.slice(y * width, (y + 1) * width));
}

export async function insideCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { home: { type: 'string' }, image: { type: 'string' }, epoch: { type: 'string' }, saliency: { type: 'string' }, json: { type: 'boolean' } },
  });
  const runId = Number(positionals[0]);
  if (!Number.isInteger(runId) || runId < 1) throw new UsageError(`layerlab inside needs a run id, got ${positionals[0] === undefined ? 'nothing' : `"${positionals[0]}"`}`);
  if (!values.image) throw new UsageError('layerlab inside needs --image FILE (a PNG or JPEG of a digit)');
  const epoch = values.epoch === undefined ? null : Number(values.epoch);
  if (epoch !== null && (!Number.isInteger(epoch) || epoch < 1)) throw new UsageError(`--epoch is a positive integer, got "${values.epoch}"`);
  if (values.saliency !== undefined && !(SALIENCY_METHODS as readonly string[]).includes(values.saliency)) throw new UsageError(`--saliency is one of ${SALIENCY_METHODS.join(', ')}`);
  const buffer = await readImageFile(values.image);
  const service = await LabService.open({ home: resolveLabHome(values.home) });
  try {
    const run = service.getRun({ runId });
    if (!acceptsMnistInput(run.architecture.inputShape)) throw new UsageError(`run ${runId} takes input of shape ${run.architecture.inputShape.join('×')}; an image becomes a 28×28 grey digit`);
    const input = preprocessToMnist(buffer);
    if (!input) throw new UsageError(`${values.image} has no ink to read (an empty image)`);
    const result = await service.inspectImage(
      parseCommandInput('inspectImage', {
        runId,
        checkpoint: epoch === null ? { kind: 'final' } : { kind: 'epoch', epoch },
        image: input.pixels,
        ...(values.saliency ? { saliency: values.saliency } : {}),
      }),
    );
    const layers = result.layers.map(({ name, className, outputShape, stats }) => ({ name, className, outputShape, ...stats }));
    if (values.json) {
      const { method, target, shape } = result.saliency;
      out.write(`${JSON.stringify({ runId, epoch: result.epoch, predicted: result.predicted, probabilities: result.probabilities, layers, saliency: { method, target, shape, values: saliencyRows(result) } })}\n`);
      return 0;
    }
    out.write(`Run ${runId}, weights of epoch ${result.epoch}: top class ${result.predicted} (${((result.probabilities[result.predicted] ?? 0) * 100).toFixed(1)}%)\n\n`);
    out.write('layer                       output shape          min        max       mean   zeros\n');
    for (const l of layers) {
      out.write(`${`${l.name} (${l.className})`.padEnd(28)}${`(${l.outputShape.join(', ')})`.padEnd(18)}${fixed(l.min).padStart(11)}${fixed(l.max).padStart(11)}${fixed(l.mean).padStart(11)}${`${(l.zeroFraction * 100).toFixed(0)}%`.padStart(8)}\n`);
    }
    const scale = Math.max(1e-12, ...result.saliency.values.map(Math.abs));
    out.write(`\nSaliency (${result.saliency.method}) of class ${result.saliency.target}: + pushed it up, - down (scale ${scale.toExponential(2)})\n`);
    for (const row of saliencyRows(result)) out.write(`${row.map((v) => (v / scale > 0.2 ? '+' : v / scale < -0.2 ? '-' : v === 0 ? ' ' : '.')).join('')}\n`);
    return 0;
  } finally {
    await service.close();
  }
}
