// Experiments, newest first, with state and how many of their jobs have finished.

import { getJson } from "../api.js";
import { h, link, sortableTable, status, when } from "../dom.js";

const REFRESH_MS = 2000;
const TERMINAL = new Set(["completed", "failed", "canceled"]);

function progress(view) {
  const jobs = view.jobs || [];
  const finished = jobs.filter((job) => TERMINAL.has(job.status)).length;
  const total = jobs.length;
  return h(
    "span",
    { class: "progress-cell" },
    h("progress", { max: total || 1, value: finished }),
    ` ${finished}/${total} jobs`,
  );
}

// The list holds no jobs; each experiment's view does (one request each, in parallel). A finished
// experiment no longer changes, so its view is read once per visit.
async function load(finished) {
  const { experiments } = await getJson("/api/experiments?limit=100");
  return Promise.all(
    experiments.map(async (e) => {
      if (finished.has(e.experiment_id)) return finished.get(e.experiment_id);
      const view = await getJson(`/api/experiments/${encodeURIComponent(e.experiment_id)}`);
      if (TERMINAL.has(view.status)) finished.set(view.experiment_id, view);
      return view;
    }),
  );
}

function table(views) {
  return sortableTable(
    [
      { key: "name", label: "Name", value: (v) => v.name, cell: (v) => link(`#/experiments/${v.experiment_id}`, v.name) },
      { key: "id", label: "Id", value: (v) => v.experiment_id },
      { key: "status", label: "State", value: (v) => v.status, cell: (v) => status(v.status) },
      { key: "progress", label: "Progress", value: (v) => (v.job_counts.completed || 0) / (v.jobs.length || 1), cell: progress },
      { key: "created", label: "Created", value: (v) => v.created_at, cell: (v) => when(v.created_at) },
    ],
    views,
    { id: "experiments", empty: "No experiments yet: submit one with `synth-ai experiment submit`." },
  );
}

export async function render(view, _params, signal) {
  const title = h("h1", {}, "Experiments");
  const finished = new Map();
  let views = await load(finished);
  view.replaceChildren(title, table(views));
  while (!signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
    if (signal.aborted) return;
    const fresh = await load(finished);
    // Redrawn only when something changed, so a sorted table stays sorted while nothing moves.
    if (JSON.stringify(fresh) !== JSON.stringify(views)) view.replaceChildren(title, table(fresh));
    views = fresh;
  }
}
