// One session: spend against each of its limits over time, the reservations in flight and the
// ledger. Refreshed while the session is active.

import { getJson, getOptional } from "../api.js";
import { lineChart } from "../charts.js";
import { h, link, message, sortableTable, status, usd, when } from "../dom.js";

const REFRESH_MS = 3000;
const METRIC_LABELS = { cost_usd: "spend (USD)", tokens: "tokens", api_calls: "API calls", gpu_hours: "GPU hours" };


function limitsTable(session) {
  return sortableTable(
    [
      { key: "metric", label: "Metric", value: (l) => l.metric_type },
      { key: "type", label: "Kind", value: (l) => l.limit_type },
      { key: "limit", label: "Limit", value: (l) => l.limit_value },
      { key: "used", label: "Used", value: (l) => l.current_usage },
      { key: "reserved", label: "Reserved", value: (l) => l.reserved },
      { key: "remaining", label: "Remaining", value: (l) => l.remaining },
      { key: "exceeded", label: "", value: (l) => (l.exceeded ? "exceeded" : "") },
    ],
    session.limits || [],
    { id: "limits", empty: "No limits on this session." },
  );
}

function spendCharts(session, spend) {
  if (!spend) return [message("This server keeps no spend series; the ledger below has every charge.")];
  if (!spend.series.length) return [message("Nothing spent yet.")];
  const metrics = (session.limits || []).length ? [...new Set(session.limits.map((l) => l.metric_type))] : ["cost_usd"];
  return metrics.map((metric) => {
    const box = h("div", { class: "chart", dataset: { metric } });
    const limit = (session.limits || []).find((l) => l.metric_type === metric && l.limit_type === "hard") ||
      (session.limits || []).find((l) => l.metric_type === metric);
    queueMicrotask(() =>
      lineChart(box, {
        xs: spend.series.map((p) => p.t),
        xTime: true,
        xLabel: "time",
        yLabel: METRIC_LABELS[metric] || metric,
        series: [{ label: `${METRIC_LABELS[metric] || metric} used`, values: spend.series.map((p) => p[metric] ?? 0), stepped: true }],
        reference: limit ? { label: `${limit.limit_type} limit`, value: limit.limit_value } : null,
        height: 220,
      }),
    );
    return h("section", {}, h("h3", {}, `${METRIC_LABELS[metric] || metric} against its limit`), box);
  });
}

function reservationsTable(reservations) {
  if (!reservations) return message("This server does not list reservations; see the reserved column above.");
  return sortableTable(
    [
      { key: "id", label: "Reservation", value: (r) => r.reservation_id },
      { key: "kind", label: "Kind", value: (r) => r.kind },
      { key: "model", label: "Model", value: (r) => r.model },
      { key: "cost", label: "Reserved", value: (r) => (r.reserved || {}).cost_usd, cell: (r) => usd((r.reserved || {}).cost_usd) },
      { key: "created", label: "Since", value: (r) => r.created_at, cell: (r) => when(r.created_at) },
      { key: "lease", label: "Lease until", value: (r) => r.lease_expires_at, cell: (r) => when(r.lease_expires_at) },
    ],
    reservations.reservations,
    { id: "reservations", empty: "No reservation in flight." },
  );
}

function ledgerTable(entries) {
  return sortableTable(
    [
      { key: "time", label: "Time", value: (e) => e.created_at, cell: (e) => when(e.created_at) },
      { key: "kind", label: "Kind", value: (e) => e.kind },
      { key: "model", label: "Model", value: (e) => e.model },
      { key: "cost", label: "Cost", value: (e) => (e.usage || {}).cost_usd, cell: (e) => usd((e.usage || {}).cost_usd) },
      { key: "tokens", label: "Tokens", value: (e) => (e.usage || {}).tokens },
      { key: "reference", label: "Reference", value: (e) => e.reference_id },
    ],
    entries,
    { id: "ledger", empty: "No charges yet." },
  );
}

async function load(sessionId) {
  const id = encodeURIComponent(sessionId);
  return Promise.all([
    getJson(`/api/v1/sessions/${id}`),
    getOptional(`/api/v1/sessions/${id}/spend`),
    getOptional(`/api/v1/sessions/${id}/reservations`),
    getJson(`/api/v1/usage?session_id=${id}&limit=200`),
  ]);
}

function page(session, spend, reservations, ledger) {
  return [
    h("p", {}, link("#/sessions", "← Sessions")),
    h("h1", {}, session.session_id),
    h(
      "p",
      { class: "summary" },
      status(session.status),
      ` ${session.session_type} · spent ${usd((session.current_usage || {}).cost_usd)} · reserved ${usd((session.reserved_usage || {}).cost_usd)}`,
      ` · created ${when(session.created_at)}`,
    ),
    h("h2", {}, "Limits"),
    limitsTable(session),
    h("h2", {}, "Spend over time"),
    ...spendCharts(session, spend),
    h("h2", {}, "Reservations in flight"),
    reservationsTable(reservations),
    h("h2", {}, "Ledger"),
    ledgerTable(ledger.data || []),
  ];
}

export async function render(view, [sessionId], signal) {
  let [session, ...rest] = await load(sessionId);
  view.replaceChildren(...page(session, ...rest));
  while (session.status === "active" && !signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
    if (signal.aborted) return;
    [session, ...rest] = await load(sessionId);
    if (!signal.aborted) view.replaceChildren(...page(session, ...rest));
  }
}
