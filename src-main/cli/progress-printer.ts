// Keras-like output of a run: "Epoch 1/10", a progress bar on a terminal, the epoch line.
import type { Evaluation, RunEvent } from '../../src-shared/index.ts';
import { jsonText, terminalSafe } from './terminal-text.ts';

const BAR = 30;
const f4 = (x: number | null) => (x === null ? '-' : x.toFixed(4));

export class ProgressPrinter {
  private epochs = 0;
  private trainExamples = 0;
  private batchSize = 0;
  private barShown = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    batchSize: number,
  ) {
    this.batchSize = batchSize;
  }

  handle(event: RunEvent): void {
    switch (event.type) {
      case 'started':
        this.epochs = event.epochs;
        this.trainExamples = event.trainExamples;
        this.line(`Backend: ${event.backend}${event.backendDetail ? ` (${event.backendDetail})` : ''}`);
        this.line(`Train on ${event.trainExamples} samples${event.validationExamples ? `, validate on ${event.validationExamples} samples` : ''}`);
        this.line(`Epoch 1/${this.epochs}`);
        break;
      case 'progress':
        if (this.out.isTTY) {
          const done = Math.min(event.batch * this.batchSize, this.trainExamples);
          const filled = Math.round((BAR * event.batch) / event.batchesPerEpoch);
          const bar = '='.repeat(Math.max(0, filled - 1)) + (filled < BAR ? '>' : '=') + '.'.repeat(BAR - filled);
          const loss = event.losses[event.losses.length - 1];
          this.out.write(`\r${String(done).padStart(String(this.trainExamples).length)}/${this.trainExamples} [${bar}] - loss: ${f4(loss ?? null)} - acc: ${f4(event.acc)}`);
          this.barShown = true;
        }
        break;
      case 'epoch': {
        const n = this.trainExamples;
        this.line(`${n}/${n} [${'='.repeat(BAR)}] - ${event.seconds.toFixed(1)}s - loss: ${f4(event.loss)} - acc: ${f4(event.acc)} - val_loss: ${f4(event.val_loss)} - val_acc: ${f4(event.val_acc)}`);
        if (event.epoch < this.epochs) this.line(`Epoch ${event.epoch + 1}/${this.epochs}`);
        break;
      }
      case 'paused':
      case 'resumed':
        this.line(`${event.type} at epoch ${event.epoch}, batch ${event.batch}`);
        break;
      case 'learningRate':
        this.line(`learning rate set to ${event.learningRate}`);
        break;
      case 'evaluated':
        break;
      case 'finished':
        this.line(`Run ${event.runId} ${event.status}${event.reason ? `: ${terminalSafe(event.reason)}` : ''}`);
        if (event.evaluation) this.printEvaluation(event.evaluation);
        break;
    }
  }

  private printEvaluation(e: Evaluation): void {
    this.line(`Test loss: ${e.loss.toFixed(6)}`);
    this.line(`Test accuracy: ${e.accuracy.toFixed(4)}`);
  }

  private line(text: string): void {
    if (this.barShown) {
      this.out.write('\r\x1b[2K');
      this.barShown = false;
    }
    this.out.write(`${text}\n`);
  }
}

/** --json: one object per line; epoch and finished lines as the CLI documents them. */
export function jsonLine(event: RunEvent): string | null {
  switch (event.type) {
    case 'started':
    case 'epoch':
    case 'paused':
    case 'resumed':
    case 'learningRate':
      return jsonText(event);
    case 'finished':
      return jsonText({
        type: 'finished',
        runId: event.runId,
        status: event.status,
        reason: event.reason,
        evaluation: event.evaluation ? { loss: event.evaluation.loss, accuracy: event.evaluation.accuracy } : null,
      });
    default:
      return null;
  }
}
