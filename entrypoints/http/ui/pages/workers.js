// The queue's workers with the age of their heartbeat, and the task apps a scan of the server's
// machine finds, with their health.

import { getOptional } from "../api.js";
import { h, message, sortableTable, status } from "../dom.js";

const REFRESH_MS = 3000;


function workers(found) {
  if (!found) return message("This server does not list queue workers.");
  return [
    h("p", { class: "summary" }, `broker ${found.broker || "—"}`),
    sortableTable(
      [
        { key: "id", label: "Worker", value: (w) => w.worker_id },
        { key: "host", label: "Host", value: (w) => `${w.host}:${w.pid}` },
        { key: "concurrency", label: "Concurrency", value: (w) => w.concurrency },
        { key: "running", label: "Running", value: (w) => (w.running || []).join(", ") || "—" },
        { key: "age", label: "Heartbeat age", value: (w) => w.heartbeat_age_s, cell: (w) => `${Number(w.heartbeat_age_s).toFixed(1)}s` },
        { key: "stale", label: "", value: (w) => (w.stale ? "stale" : "live"), cell: (w) => status(w.stale ? "stale" : "live") },
      ],
      found.workers || [],
      { id: "workers", empty: "No worker: start one with `synth-ai queue start`." },
    ),
  ];
}

function taskApps(found) {
  if (!found) return message("This server does not scan for task apps.");
  return [
    sortableTable(
      [
        { key: "name", label: "Name", value: (a) => a.name },
        { key: "url", label: "URL", value: (a) => a.url },
        { key: "type", label: "Found by", value: (a) => a.type },
        { key: "health", label: "Health", value: (a) => a.health_status, cell: (a) => status(a.health_status) },
      ],
      found.apps || [],
      { id: "task-apps", empty: "No task app found on this machine." },
    ),
    ...(found.problems || []).map((problem) => message(typeof problem === "string" ? problem : JSON.stringify(problem), "error")),
  ];
}

async function page() {
  const [queue, apps] = await Promise.all([getOptional("/api/queue/workers"), getOptional("/api/task-apps")]);
  return [h("h1", {}, "Queue workers"), ...[workers(queue)].flat(), h("h2", {}, "Task apps"), ...taskApps(apps)];
}

export async function render(view, _params, signal) {
  view.replaceChildren(...(await page()));
  while (!signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
    if (signal.aborted) return;
    const content = await page();
    if (!signal.aborted) view.replaceChildren(...content);
  }
}
