// Line charts on the vendored uPlot: x values and named series, an optional flat reference
// line (a baseline, a limit), sized to their container.

import uPlot from "./vendor/uplot/uPlot.esm.js";

const COLOURS = ["#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];

/**
 * xs: numbers; series: [{label, values, stepped?}]; reference: {label, value} drawn dashed.
 * xTime: x values are epoch seconds.
 */
export function lineChart(container, { xs, xLabel, yLabel, series, reference, xTime = false, height = 260 }) {
  const data = [xs, ...series.map((s) => s.values)];
  const options = {
    width: Math.max(320, container.clientWidth || 640),
    height,
    scales: { x: { time: xTime } },
    axes: [{ label: xLabel }, { label: yLabel }],
    legend: { live: false },
    series: [
      { label: xLabel },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: COLOURS[i % COLOURS.length],
        width: 2,
        points: { show: true, size: 6 },
        paths: s.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
      })),
    ],
  };
  if (reference && reference.value !== null && reference.value !== undefined) {
    data.push(xs.map(() => reference.value));
    options.series.push({ label: reference.label, stroke: "#6b7280", width: 1.5, dash: [6, 4], points: { show: false } });
  }
  const chart = new uPlot(options, data, container);
  container.dataset.points = String(xs.length);
  const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(320, container.clientWidth), height }));
  resize.observe(container);
  return chart;
}
