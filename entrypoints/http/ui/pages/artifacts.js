// Prompt-optimisation artifacts (pl_ jobs) of the org, newest first.

import { getJson } from "../api.js";
import { h, link, score, sortableTable, status, when } from "../dom.js";

export async function render(view) {
  const { prompts } = await getJson("/api/artifacts?type=prompts&limit=200");
  view.replaceChildren(
    h("h1", {}, "Prompt artifacts"),
    sortableTable(
      [
        { key: "id", label: "Artifact", value: (p) => p.job_id, cell: (p) => link(`#/artifacts/${p.job_id}`, p.job_id) },
        { key: "algorithm", label: "Algorithm", value: (p) => p.algorithm },
        { key: "status", label: "State", value: (p) => p.status, cell: (p) => status(p.status) },
        { key: "baseline", label: "Baseline", value: (p) => (p.metadata || {}).baseline_score, cell: (p) => score((p.metadata || {}).baseline_score) },
        { key: "best", label: "Best score", value: (p) => p.best_score, cell: (p) => score(p.best_score) },
        { key: "created", label: "Created", value: (p) => p.created_at, cell: (p) => when(p.created_at) },
      ],
      prompts,
      { id: "artifacts", empty: "No prompt artifacts yet: an optimisation job leaves one when it ends." },
    ),
  );
}
