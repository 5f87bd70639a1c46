// The filtered list, newest first, one page at a time with the API's cursor paging:
// "Older" asks NEXT after the page's last id, "Newer" PREVIOUS before its first.

import { fill, h, label, when } from "./dom.js";
import { identity } from "./identity.js";

function incidentLink(incident) {
  const params = new URLSearchParams();
  if (identity.org) params.set("org", identity.org);
  return `/ui/incidents/${incident.id}?${params}`;
}

function services(incident) {
  return incident.services.map((s) => (s.namespace ? `${s.namespace}/${s.name}` : s.name)).join(", ");
}

function row(incident) {
  return h("tr", { dataset: { id: incident.id } },
    h("td", { class: "time" }, when(incident.startTime)),
    h("td", {}, h("span", { class: `badge type-${incident.type}` }, incident.type)),
    h("td", { class: "title" }, h("a", { href: incidentLink(incident) }, incident.title || "(untitled)")),
    h("td", {}, h("span", { class: `badge status-${incident.status}` }, incident.status)),
    h("td", {}, label(incident.severity)),
    h("td", {}, label(incident.priority)),
    h("td", {}, services(incident)),
    h("td", {}, incident.source),
    h("td", {}, incident.ackUserId ? `✓ ${incident.ackUserId}` : "—"));
}

const HEAD = ["Start", "Type", "Title", "Status", "Severity", "Priority", "Services", "Source", "Acknowledged"];

/** Render one page into `node`; `go(cursor, direction)` moves to another page. */
export function renderList(node, page, go) {
  const { data, paging } = page;
  const table = data.length
    ? h("table", { class: "incidents" },
      h("thead", {}, h("tr", {}, HEAD.map((name) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, data.map(row)))
    : h("p", { class: "empty" }, "No incident matches these filters in this window.");
  const pager = h("nav", { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", disabled: !paging.hasPrevious, onclick: () => go(null, "NEXT") }, "⇤ Newest"),
    h("button", { type: "button", id: "newer", disabled: !paging.hasPrevious,
      onclick: () => go(paging.cursor.firstId, "PREVIOUS") }, "← Newer"),
    h("button", { type: "button", id: "older", disabled: !paging.hasNext,
      onclick: () => go(paging.cursor.lastId, "NEXT") }, "Older →"));
  fill(node, table, pager);
}
