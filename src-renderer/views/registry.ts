// The app's screens, in navigation order. Adding a screen is one line here.
import type { Component } from 'svelte';
import DataView from './DataView.svelte';
import DesignView from './DesignView.svelte';
import DrawView from './DrawView.svelte';
import EvaluateView from './EvaluateView.svelte';
import InsideView from './InsideView.svelte';
import RunsView from './RunsView.svelte';
import SweepsView from './SweepsView.svelte';
import TrainView from './TrainView.svelte';

export interface ViewDef {
  id: string;
  title: string;
  component: Component;
}

export const VIEWS: readonly ViewDef[] = [
  { id: 'design', title: 'Design', component: DesignView },
  { id: 'train', title: 'Train', component: TrainView },
  { id: 'evaluate', title: 'Evaluate', component: EvaluateView },
  { id: 'draw', title: 'Draw', component: DrawView },
  { id: 'inside', title: 'Inside', component: InsideView },
  { id: 'runs', title: 'Runs', component: RunsView },
  { id: 'sweeps', title: 'Sweeps', component: SweepsView },
  { id: 'data', title: 'Data', component: DataView },
];

export const VIEW_IDS: readonly string[] = VIEWS.map((v) => v.id);
