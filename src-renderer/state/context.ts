// The lab's state, created once by the app shell and handed down through typed context.
import { createContext } from 'svelte';
import type { LabApi } from '../../src-shared/api.ts';
import type { EditorState } from './editor-state.svelte.ts';
import type { EvaluateState } from './evaluate-state.svelte.ts';
import type { PreflightState } from './preflight-state.svelte.ts';
import type { Router } from './router.svelte.ts';
import type { RunState } from './run-state.svelte.ts';
import type { SystemState } from './system-state.svelte.ts';
import type { TrainSettings } from './train-settings.svelte.ts';

export interface Lab {
  api: LabApi;
  system: SystemState;
  editor: EditorState;
  settings: TrainSettings;
  preflight: PreflightState;
  run: RunState;
  evaluate: EvaluateState;
  router: Router;
}

const [getLab, setLab] = createContext<Lab>();

export { getLab, setLab };
