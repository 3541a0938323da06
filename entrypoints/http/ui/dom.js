// Small helpers shared by the pages: elements built from data (never HTML strings, so nothing
// from the API is ever parsed as markup), number formats, and a table sorted by its headers.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export const link = (href, text) => h("a", { href }, text);

export function score(value) {
  return value === undefined || value === null ? "—" : Number(value).toFixed(4);
}

export function usd(value) {
  return value === undefined || value === null ? "—" : `$${Number(value).toFixed(4)}`;
}

export function duration(seconds) {
  if (seconds === undefined || seconds === null) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

export function status(value) {
  return h("span", { class: `status status-${value}` }, value);
}

export function message(text, kind = "info") {
  return h("p", { class: `message message-${kind}`, role: kind === "error" ? "alert" : null }, text);
}

/**
 * A table from rows and columns [{key, label, value(row) -> sortable, cell(row) -> node|text}].
 * Clicking a header sorts by that column; again reverses. Missing values sort last. With
 * rowId(row), each row carries it as data-id (for links between rows).
 */
export function sortableTable(columns, rows, { id, empty = "Nothing yet.", rowId } = {}) {
  const body = h("tbody");
  let sortKey = null;
  let ascending = true;
  const headers = columns.map((column) =>
    h("th", { scope: "col", dataset: { key: column.key }, onclick: () => sortBy(column) }, column.label),
  );
  function fill(list) {
    body.replaceChildren(
      ...(list.length
        ? list.map((row) =>
            h(
              "tr",
              { dataset: rowId ? { id: rowId(row) } : undefined },
              columns.map((c) => h("td", { dataset: { key: c.key } }, (c.cell || c.value)(row))),
            ),
          )
        : [h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, empty))]),
    );
  }
  function sortBy(column) {
    ascending = sortKey === column.key ? !ascending : true;
    sortKey = column.key;
    const sorted = [...rows].sort((a, b) => compare(column.value(a), column.value(b), ascending));
    for (const th of headers) {
      th.setAttribute("aria-sort", th.dataset.key === sortKey ? (ascending ? "ascending" : "descending") : "none");
    }
    fill(sorted);
  }
  fill(rows);
  return h("table", { id, class: "grid" }, h("thead", {}, h("tr", {}, headers)), body);
}

function compare(a, b, ascending) {
  const missingA = a === undefined || a === null;
  const missingB = b === undefined || b === null;
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  const order = typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
  return ascending ? order : -order;
}
