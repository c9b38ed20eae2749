// The page's colours and the size of its standard chart.
export const C = {
  p50: '#4c78a8',
  p90: '#72b7b2',
  p95: '#f58518',
  p99: '#e45756',
  rps: '#54a24b',
  pass: '#2e7d32',
  fail: '#c62828',
  muted: '#9e9e9e',
  ready: '#4c78a8',
  desired: '#f58518',
  hpa: '#b279a2',
};
export const SETUP_PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac'];

/** The size of a chart in the page's two-column grid. */
export const WIDTH = 420;
export const HEIGHT = 220;
