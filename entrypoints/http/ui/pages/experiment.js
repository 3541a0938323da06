// One experiment, live: its jobs with rollouts against budget, best score, spend and ETA, and a
// cancel button. Updates arrive over the experiment's event stream; where the server has none
// (or it drops), the page polls until the experiment is finished.

import { ApiError, getJson, postJson, streamEvents } from "../api.js";
import { duration, h, link, message, score, status, usd, when } from "../dom.js";

const POLL_MS = 1000;
const TERMINAL = new Set(["completed", "failed", "canceled"]);

// A job's figures, wherever the server put them: top-level fields, else its stored progress,
// else its result.
function figures(job) {
  const progress = job.progress || {};
  const result = job.result || {};
  const pick = (...values) => values.find((v) => v !== undefined && v !== null);
  return {
    done: pick(job.rollouts_done, progress.done, result.rollouts),
    total: pick(job.rollout_budget, progress.total),
    best: pick(job.best_score, progress.best_score, result.best_score),
    spend: pick(job.spend_usd, progress.spend_usd),
    eta: pick(job.eta_s, progress.eta_s),
    artifact: pick(result.artifact_id, progress.artifact_id),
    session: pick(result.session_id, progress.session_id),
  };
}

function rollouts({ done, total }) {
  if (done === undefined) return "—";
  return h(
    "span",
    { class: "progress-cell" },
    total ? h("progress", { max: total, value: done }) : null,
    ` ${done}${total ? `/${total}` : ""}`,
  );
}

function jobRow(job) {
  const f = figures(job);
  return h(
    "tr",
    { dataset: { jobId: job.job_id, status: job.status } },
    h("td", {}, String(job.index)),
    h("td", {}, job.job_id),
    h("td", {}, job.job_type),
    h("td", { dataset: { key: "status" } }, status(job.status), job.reason ? h("small", {}, ` ${job.reason}`) : null),
    h("td", { dataset: { key: "rollouts" } }, rollouts(f)),
    h("td", { dataset: { key: "best" } }, score(f.best)),
    h("td", { dataset: { key: "spend" } }, f.session ? link(`#/sessions/${f.session}`, usd(f.spend)) : usd(f.spend)),
    h("td", { dataset: { key: "eta" } }, TERMINAL.has(job.status) ? "—" : duration(f.eta)),
    h("td", {}, f.artifact ? link(`#/artifacts/${f.artifact}`, f.artifact) : "—"),
  );
}

function jobsTable(jobs) {
  const head = ["#", "Job", "Type", "State", "Rollouts", "Best score", "Spend", "ETA", "Artifact"];
  return h(
    "table",
    { id: "jobs", class: "grid" },
    h("thead", {}, h("tr", {}, head.map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, jobs.map(jobRow)),
  );
}

export async function render(view, [experimentId], signal) {
  const path = `/api/experiments/${encodeURIComponent(experimentId)}`;
  const notice = h("div", { class: "notices" });
  const cancel = h("button", { id: "cancel", type: "button", class: "danger" }, "Cancel experiment");
  const summary = h("p", { class: "summary" });
  const title = h("h1", {}, experimentId);
  const jobs = h("div", {});
  view.replaceChildren(h("p", {}, link("#/experiments", "← Experiments")), title, summary, cancel, notice, jobs);

  let latest = null;
  function show(experiment) {
    latest = experiment;
    title.textContent = experiment.name;
    summary.replaceChildren(
      status(experiment.status),
      ` ${experiment.experiment_id} · parallelism ${experiment.parallelism} · created ${when(experiment.created_at)}`,
    );
    cancel.hidden = TERMINAL.has(experiment.status);
    jobs.replaceChildren(jobsTable(experiment.jobs || []));
    view.dataset.status = experiment.status;
  }
  const refresh = async () => {
    const experiment = await getJson(path, { signal });
    if (!signal.aborted) show(experiment);
    return experiment;
  };

  cancel.addEventListener("click", async () => {
    if (!confirm(`Cancel ${latest ? latest.name : experimentId}? Queued jobs are dropped, running ones stopped.`)) return;
    cancel.disabled = true;
    try {
      show(await postJson(`${path}/cancel`));
    } catch (error) {
      notice.replaceChildren(message(error.message, "error"));
    } finally {
      cancel.disabled = false;
    }
  });

  await refresh();
  follow(path, show, refresh, signal, () => latest && TERMINAL.has(latest.status));
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The event stream sends the whole experiment on each change and ends when it is finished (or
// after a while: then we reconnect). A server without the stream, or one refusing it for now
// (busy), gets polled instead.
async function follow(path, show, refresh, signal, finished) {
  let streaming = true;
  while (streaming && !signal.aborted && !finished()) {
    let ended = null;
    try {
      await streamEvents(
        `${path}/events`,
        (event) => {
          if (event.event === "experiment" && typeof event.data === "object") show(event.data);
          else if (event.event === "end") ended = (event.data || {}).reason;
        },
        { signal },
      );
    } catch (error) {
      if (signal.aborted || (error instanceof ApiError && error.status === 401)) return;
      streaming = false;
    }
    if (ended === "terminal") return;
    await pause(500);
  }
  while (!signal.aborted && !finished()) {
    try {
      await refresh();
    } catch (error) {
      if (signal.aborted || (error instanceof ApiError && error.status === 401)) return;
    }
    await pause(POLL_MS);
  }
}
