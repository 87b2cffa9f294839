// An in-memory LabServiceLike for bridge tests: real contract, no training.
import type { CommandOutput, CommandParsed, RunEvent, Unsubscribe } from '../../src-shared/index.ts';
import { analyzeArchitecture } from '../../src-shared/index.ts';
import type { LabServiceLike } from '../../src-main/lab/service/lab-service-types.ts';

const notUsed = (name: string) => () => {
  throw new Error(`${name} is not part of this fake`);
};

export class FakeLabService implements LabServiceLike {
  readonly listeners = new Set<(e: RunEvent) => void>();
  readonly calls: { name: string; input: unknown }[] = [];
  private nextId = 1;

  onRunEvent(listener: (e: RunEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: RunEvent): void {
    for (const l of this.listeners) l(event);
  }
  async close(): Promise<void> {}

  getSystemInfo = (): CommandOutput<'getSystemInfo'> => ({ version: '0', home: '/h', databasePath: '/h/db', backend: { chosen: 'wasm', requested: 'auto', probes: [], versions: {} }, datasets: [], memoryBudgetBytes: 8 * 2 ** 30 });
  listDatasets = (): CommandOutput<'listDatasets'> => [];
  importDataset = notUsed('importDataset') as LabServiceLike['importDataset'];
  getImportProgress = (): CommandOutput<'getImportProgress'> => null;
  getDatasetOverview = notUsed('getDatasetOverview') as LabServiceLike['getDatasetOverview'];
  analyzeArchitecture = (input: CommandParsed<'analyzeArchitecture'>) => analyzeArchitecture(input);
  estimateEpoch = notUsed('estimateEpoch') as LabServiceLike['estimateEpoch'];
  startRun = (input: CommandParsed<'startRun'>): CommandOutput<'startRun'> => {
    this.calls.push({ name: 'startRun', input });
    const runId = this.nextId++;
    // Events arrive after the reply, as with a real trainer process.
    setTimeout(() => {
      this.emit({ type: 'started', runId, backend: 'wasm', epochs: 1, batchesPerEpoch: 2, trainExamples: 10, validationExamples: 5 });
      this.emit({ type: 'epoch', runId, epoch: 1, loss: 1, acc: 0.5, val_loss: 1, val_acc: 0.5, seconds: 0.1 });
      this.emit({ type: 'finished', runId, status: 'completed', reason: null, evaluation: null });
    }, 50);
    return { runId };
  };
  stopRun = ({ runId }: CommandParsed<'stopRun'>) => ({ runId, stopping: true });
  pauseRun = ({ runId }: CommandParsed<'pauseRun'>) => ({ runId });
  resumeRun = ({ runId }: CommandParsed<'resumeRun'>) => ({ runId });
  setLearningRate = ({ runId, learningRate }: CommandParsed<'setLearningRate'>) => ({ runId, learningRate });
  listRuns = (): CommandOutput<'listRuns'> => [];
  queryRuns = (): CommandOutput<'queryRuns'> => ({ runs: [], total: 0, labTotal: 0, version: 0, tags: [] });
  getRunChanges = (): CommandOutput<'getRunChanges'> => ({ version: 0, labTotal: 0, changed: [], gone: [], reload: false });
  deleteRuns = ({ runIds }: CommandParsed<'deleteRuns'>) => ({ deleted: runIds, refused: [] });
  getRun = ({ runId }: CommandParsed<'getRun'>): CommandOutput<'getRun'> => {
    const error = new Error(`run ${runId} does not exist`) as Error & { code: string };
    error.name = 'StoreError';
    error.code = 'not-found';
    throw error;
  };
  updateRun = notUsed('updateRun') as LabServiceLike['updateRun'];
  deleteRun = ({ runId }: CommandParsed<'deleteRun'>) => ({ runId, deleted: true });
  exportRun = notUsed('exportRun') as LabServiceLike['exportRun'];
  exportRuns = notUsed('exportRuns') as LabServiceLike['exportRuns'];
  exportModel = notUsed('exportModel') as LabServiceLike['exportModel'];
  compareRuns = notUsed('compareRuns') as LabServiceLike['compareRuns'];
  comparePredictions = notUsed('comparePredictions') as LabServiceLike['comparePredictions'];
  evaluateCheckpoint = notUsed('evaluateCheckpoint') as LabServiceLike['evaluateCheckpoint'];
  inspectImage = notUsed('inspectImage') as LabServiceLike['inspectImage'];
  inspectWeights = notUsed('inspectWeights') as LabServiceLike['inspectWeights'];
  getWeightHistory = notUsed('getWeightHistory') as LabServiceLike['getWeightHistory'];
  projectEmbedding = notUsed('projectEmbedding') as LabServiceLike['projectEmbedding'];
  createSweep = notUsed('createSweep') as LabServiceLike['createSweep'];
  listSweeps = () => [];
  getSweep = notUsed('getSweep') as LabServiceLike['getSweep'];
  pauseSweep = notUsed('pauseSweep') as LabServiceLike['pauseSweep'];
  resumeSweep = notUsed('resumeSweep') as LabServiceLike['resumeSweep'];
  cancelSweep = notUsed('cancelSweep') as LabServiceLike['cancelSweep'];
  reorderSweep = notUsed('reorderSweep') as LabServiceLike['reorderSweep'];
  getEvaluation = () => null;
  predict = ({ images }: CommandParsed<'predict'>) => ({ probabilities: images.map(() => Array.from({ length: 10 }, () => 0.1)) });
  getClassByConfidence = notUsed('getClassByConfidence') as LabServiceLike['getClassByConfidence'];
  getTestImages = notUsed('getTestImages') as LabServiceLike['getTestImages'];
  getMisclassified = () => [];
  crash = () => {
    throw new TypeError('boom');
  };
}
