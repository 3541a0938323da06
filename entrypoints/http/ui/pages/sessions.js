// The org's sessions, newest first: state, spend so far and the limits each has.

import { getJson } from "../api.js";
import { h, link, sortableTable, status, usd, when } from "../dom.js";

function limits(session) {
  return (session.limits || []).map((l) => `${l.limit_type} ${l.metric_type} ≤ ${l.limit_value}`).join(", ") || "—";
}

export async function render(view) {
  const sessions = await getJson("/api/v1/sessions?limit=200");
  view.replaceChildren(
    h("h1", {}, "Sessions"),
    sortableTable(
      [
        { key: "id", label: "Session", value: (s) => s.session_id, cell: (s) => link(`#/sessions/${s.session_id}`, s.session_id) },
        { key: "type", label: "Type", value: (s) => s.session_type },
        { key: "status", label: "State", value: (s) => s.status, cell: (s) => status(s.status) },
        { key: "spend", label: "Spend", value: (s) => (s.current_usage || {}).cost_usd, cell: (s) => usd((s.current_usage || {}).cost_usd) },
        { key: "tokens", label: "Tokens", value: (s) => (s.current_usage || {}).tokens },
        { key: "limits", label: "Limits", value: limits },
        { key: "created", label: "Created", value: (s) => s.created_at, cell: (s) => when(s.created_at) },
      ],
      sessions,
      { id: "sessions", empty: "No sessions yet: `synth-ai session start`, or run an optimisation." },
    ),
  );
}
