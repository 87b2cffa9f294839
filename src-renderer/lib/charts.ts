// Chart.js, registered once with only what the app draws (line charts on linear axes, learning rates on log axes, the Data screen's bars).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartOptions,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LogarithmicScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Decimation, Filler);

export { Chart };

/** What every line chart here shares: drawn at once (live data, no animation), filling its box, points given
 *  pre-parsed, tooltips for the nearest epoch. */
export function lineChartBase() {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
  } satisfies ChartOptions<'line'>;
}

/** Reads a theme colour from the page's CSS variables. */
export function cssVar(name: string, fallback = '#888'): string {
  if (typeof document === 'undefined') return fallback;
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/**
 * Whether a chart can be drawn on this canvas: a browser may refuse a 2D context (too many
 * canvases, no memory). Without one, the chart is skipped and the table beside it says it all.
 */
export function canDrawOn(canvas: HTMLCanvasElement): boolean {
  return canvas.getContext('2d') !== null;
}
