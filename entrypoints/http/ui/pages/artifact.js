// One prompt-optimisation artifact (pl_): the learning curve against the baseline, the
// candidates, the best prompt beside the baseline with the differences marked, and downloads in
// the formats `synth-ai artifacts download` writes.

import { getJson, saveFile } from "../api.js";
import { lineChart } from "../charts.js";
import { promptText, sideBySide } from "../diffs.js";
import { h, link, message, score, sortableTable, status, usd } from "../dom.js";

const FORMATS = [
  ["json", "JSON"],
  ["yaml", "YAML"],
  ["text", "Text"],
];

function mean(values) {
  return values && values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

function curve(job) {
  const points = (job.metadata || {}).learning_curve || [];
  const box = h("div", { id: "learning-curve", class: "chart" });
  if (!points.length) return [h("h2", {}, "Learning curve"), message("No validated candidate yet.")];
  const section = [h("h2", {}, "Learning curve"), box];
  // Laid out first, so the chart knows its width.
  queueMicrotask(() =>
    lineChart(box, {
      xs: points.map((p) => p[0]),
      xLabel: "rollouts",
      yLabel: "best validation score",
      series: [{ label: "best validation score", values: points.map((p) => p[1]), stepped: true }],
      reference: { label: "baseline", value: (job.metadata || {}).baseline_score },
    }),
  );
  return section;
}

// Where a candidate came from: the candidates GEPA made it from (links to their rows), or the
// instruction and demo set a MIPRO trial combined, or nothing (the baseline).
function lineageText(payload) {
  const parents = payload.parents || [];
  if (parents.length) return parents.join(", ");
  const from = payload.built_from;
  return from ? `instruction ${from.instruction} · demo set ${from.demo_set}` : null;
}

function showRow(table, snapshotId) {
  for (const row of table.querySelectorAll("tbody tr.highlight")) row.classList.remove("highlight");
  const row = table.querySelector(`tbody tr[data-id="${CSS.escape(snapshotId)}"]`);
  if (!row) return;
  row.classList.add("highlight");
  row.scrollIntoView({ block: "center" });
}

function lineageCell(payload) {
  const parents = payload.parents || [];
  if (!parents.length) {
    const text = lineageText(payload);
    return text ? h("span", { class: "muted" }, text) : "—";
  }
  return parents.flatMap((parent, i) => [
    i ? ", " : null,
    h(
      "a",
      {
        href: "#",
        class: "parent",
        dataset: { parent },
        onclick: (event) => {
          event.preventDefault();
          showRow(event.target.closest("table"), parent);
        },
      },
      parent,
    ),
  ]);
}

function candidates(job, snapshots) {
  const baselineId = (job.metadata || {}).baseline_snapshot_id;
  return [
    h("h2", {}, `Candidates (${snapshots.length})`),
    sortableTable(
      [
        { key: "id", label: "Candidate", value: (s) => s.snapshot_id },
        { key: "origin", label: "Origin", value: (s) => (s.payload || {}).origin },
        { key: "score", label: "Validation score", value: (s) => s.validation_score ?? s.score, cell: (s) => score(s.validation_score ?? s.score) },
        { key: "minibatch", label: "Minibatch mean", value: (s) => mean((s.payload || {}).minibatch_scores), cell: (s) => score(mean((s.payload || {}).minibatch_scores)) },
        { key: "rollouts", label: "At rollout", value: (s) => (s.payload || {}).rollouts_at },
        { key: "parent", label: "Parent", value: (s) => lineageText(s.payload || {}), cell: (s) => lineageCell(s.payload || {}) },
        {
          key: "mark",
          label: "",
          value: (s) => (s.snapshot_id === job.best_snapshot_id ? 2 : s.snapshot_id === baselineId ? 1 : 0),
          cell: (s) => (s.snapshot_id === job.best_snapshot_id ? "best" : s.snapshot_id === baselineId ? "baseline" : ""),
        },
      ],
      snapshots,
      { id: "candidates", empty: "No candidate scored yet.", rowId: (s) => s.snapshot_id },
    ),
  ];
}

function prompts(job, snapshots) {
  const baselineId = (job.metadata || {}).baseline_snapshot_id;
  const baseline = snapshots.find((s) => s.snapshot_id === baselineId);
  const best = job.best_prompt || [];
  if (!best.length) return [h("h2", {}, "Best prompt"), message("No best prompt yet.")];
  if (!baseline) return [h("h2", {}, "Best prompt"), h("pre", { class: "prompt", id: "best-prompt" }, promptText(best))];
  return [
    h("h2", {}, "Best prompt beside the baseline"),
    sideBySide(
      `Baseline ${baseline.snapshot_id} · ${score(baseline.validation_score)}`,
      promptText((baseline.payload || {}).messages),
      `Best ${job.best_snapshot_id} · ${score(job.best_score)}`,
      promptText(best),
    ),
  ];
}

function downloads(jobId) {
  return h(
    "div",
    { class: "downloads" },
    "Download the best prompt: ",
    FORMATS.map(([format, label]) =>
      h(
        "button",
        {
          type: "button",
          dataset: { format },
          onclick: () =>
            saveFile(`/api/artifacts/prompts/${encodeURIComponent(jobId)}/download?format=${format}`, `${jobId}-best.${format}`),
        },
        label,
      ),
    ),
  );
}

export async function render(view, [jobId]) {
  const base = `/api/artifacts/prompts/${encodeURIComponent(jobId)}`;
  const [job, listed] = await Promise.all([getJson(base), getJson(`${base}/snapshots`)]);
  const snapshots = listed.artifacts || [];
  const meta = job.metadata || {};
  const totals = meta.totals || {};
  view.replaceChildren(
    h("p", {}, link("#/artifacts", "← Prompt artifacts")),
    h("h1", {}, job.job_id),
    h(
      "p",
      { class: "summary" },
      status(job.status),
      ` ${job.algorithm || ""} · baseline ${score(meta.baseline_score)} → best ${score(job.best_score)}`,
      totals.rollouts !== undefined ? ` · ${totals.rollouts} rollouts · ${usd(totals.spend_usd)}` : "",
      meta.stop_reason ? ` · stopped: ${meta.stop_reason}` : "",
    ),
    downloads(job.job_id),
    ...curve(job),
    ...prompts(job, snapshots),
    ...candidates(job, snapshots),
  );
}
