// Builds every state object of the app around one LabApi.
import type { LabApi } from '../../src-shared/api.ts';
import type { Lab } from './context.ts';
import { EditorState } from './editor-state.svelte.ts';
import { EvaluateState } from './evaluate-state.svelte.ts';
import { PreflightState } from './preflight-state.svelte.ts';
import { Router } from './router.svelte.ts';
import { RunState } from './run-state.svelte.ts';
import { SystemState } from './system-state.svelte.ts';
import { TrainSettings } from './train-settings.svelte.ts';

export function createLab(api: LabApi, views: readonly string[], location: Pick<Location, 'hash'> | null = null): Lab {
  return {
    api,
    system: new SystemState(api),
    editor: new EditorState(),
    settings: new TrainSettings(),
    preflight: new PreflightState(api),
    run: new RunState(api),
    evaluate: new EvaluateState(api),
    router: new Router(views, views[0] ?? 'design', location),
  };
}
