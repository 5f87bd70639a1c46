// The incident page (/ui/incidents/{id}): every field, the notes (add, edit, delete), the
// history with its field changes, and the Acknowledge button. It refreshes on a timer,
// but never under the person's hands: a note being edited and the new-note box are
// left alone.

import { api, explain, uiConfig } from "./api.js";
import { fill, h, label, when } from "./dom.js";
import { identity, identityBar } from "./identity.js";
import { parse } from "./state.js";

const REFRESH_SECONDS = parse(location.search).refresh ?? 15;
const ID = location.pathname.split("/").filter(Boolean).at(-1);
const $ = (id) => document.getElementById(id);
const TIMES = new Set(["startTime", "endTime", "resolvedAt", "ackTime", "updatedAt"]);
let editing = 0;
let generation = 0;

function message(text) {
  $("message").hidden = !text;
  $("message").textContent = text ?? "";
}

function userHeaders() {
  return identity.user ? { "User-ID": identity.user } : {};
}

function show(name, value) {
  if (value === null || value === undefined) return "—";
  if (TIMES.has(name)) return `${when(value)} (${value})`;
  if (name === "services") return value.map((s) => (s.namespace ? `${s.namespace}/${s.name}` : s.name)).join(", ");
  if (name === "metricNames") return value.join(", ") || "—";
  if (name === "metadata") return h("pre", {}, JSON.stringify(value, null, 2));
  return label(value);
}

function renderSummary(incident) {
  const acknowledged = incident.ackTime !== null;
  const button = h("button", { type: "button", id: "acknowledge", disabled: acknowledged,
    onclick: acknowledge }, acknowledged ? "Acknowledged" : "Acknowledge");
  document.title = `${incident.title} · Incidents`;
  fill($("summary"),
    h("h2", {}, incident.title || "(untitled)"),
    h("p", { class: "summary-line" },
      h("span", { class: `badge status-${incident.status}` }, incident.status),
      h("span", { class: "badge" }, incident.type),
      h("span", {}, `started ${when(incident.startTime)}`),
      acknowledged
        ? h("span", { id: "ack-by" }, `acknowledged by ${incident.ackUserId} at ${when(incident.ackTime)}`)
        : null,
      button));
}

function renderFields(incident) {
  fill($("fields"), h("dl", { class: "fields" },
    Object.entries(incident).flatMap(([name, value]) => [
      h("dt", {}, name), h("dd", { dataset: { field: name } }, show(name, value))])));
}

function renderHistory(entries) {
  const rows = entries.slice().reverse().map((entry) => h("tr", {},
    h("td", { class: "time" }, when(entry.at)),
    h("td", {}, entry.action.replace("_", " ")),
    h("td", {}, entry.userId ?? "—"),
    h("td", {}, h("ul", { class: "changes" }, Object.entries(entry.changes ?? {}).map(([field, change]) =>
      h("li", {}, h("strong", {}, field), ": ", text(change.from), " → ", text(change.to)))))));
  fill($("history"), entries.length
    ? h("table", { class: "history" },
      h("thead", {}, h("tr", {}, ["When", "What", "Who", "Changes"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows))
    : h("p", { class: "empty" }, "No history kept for this incident."));
}

function text(value) {
  if (value === null || value === undefined) return "—";
  return typeof value === "object" ? JSON.stringify(value) : label(value);
}

function renderNotes(notes) {
  if (editing) return;
  fill($("notes"), notes.length ? notes.map(noteView) : h("p", { class: "empty" }, "No notes yet."));
}

function noteView(note) {
  const edited = note.updatedAt !== note.createdAt ? ` · edited ${when(note.updatedAt)}` : "";
  const node = h("article", { class: "note", dataset: { note: note.id } },
    h("div", { class: "body" }, note.body),
    h("div", { class: "meta" }, `${when(note.createdAt)}${edited}`,
      h("button", { type: "button", class: "edit", onclick: () => edit(node, note) }, "Edit"),
      h("button", { type: "button", class: "delete", onclick: () => remove(note) }, "Delete")));
  return node;
}

function edit(node, note) {
  editing += 1;
  const area = h("textarea", { rows: 3, maxlength: 10000, "aria-label": "Note" }, note.body);
  const done = () => { editing -= 1; };
  const form = h("form", { class: "note-form" }, area,
    h("div", {}, h("button", { type: "submit" }, "Save"), " ",
      h("button", { type: "button", onclick: () => { done(); node.replaceWith(noteView(note)); } }, "Cancel")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api(`/notes/${note.id}`, { method: "PUT", body: { body: area.value }, headers: userHeaders() });
      done();
      await load();
    } catch (error) {
      message(explain(error));
    }
  });
  fill(node, form);
  area.focus();
}

async function remove(note) {
  try {
    await api(`/notes/${note.id}`, { method: "DELETE", headers: userHeaders() });
    await load();
  } catch (error) {
    message(explain(error));
  }
}

async function acknowledge() {
  if (!identity.user) {
    message("Enter your user id above first: an acknowledgement records who made it.");
    $("user")?.focus();
    return;
  }
  try {
    await api(`/incidents/${ID}/acknowledge`, { method: "POST", headers: userHeaders() });
    await load();
  } catch (error) {
    message(explain(error));
  }
}

async function addNote(event) {
  event.preventDefault();
  const area = $("note-body");
  try {
    await api(`/incidents/${ID}/notes`, { method: "POST", body: { body: area.value }, headers: userHeaders() });
    area.value = "";
    await load();
  } catch (error) {
    message(explain(error));
  }
}

async function load() {
  const mine = ++generation;
  const [incident, history, notes] = await Promise.allSettled([
    api(`/incidents/${ID}`), api(`/incidents/${ID}/history`), api(`/incidents/${ID}/notes`)]);
  if (mine !== generation) return;
  const failed = [incident, history, notes].find((s) => s.status === "rejected");
  message(failed ? explain(failed.reason) : null);
  if (incident.status === "fulfilled") {
    renderSummary(incident.value);
    renderFields(incident.value);
  }
  if (history.status === "fulfilled") renderHistory(history.value);
  if (notes.status === "fulfilled") renderNotes(notes.value);
  $("updated").textContent = `Updated ${new Date().toLocaleTimeString()} · refreshes every ${REFRESH_SECONDS} s`;
  if (!failed) document.documentElement.dataset.ready = "true";
}

async function start() {
  const config = await uiConfig().catch(() => ({ apiKeys: false, defaultOrg: false, endpoints: {} }));
  const home = () => `/ui/${identity.org ? `?${new URLSearchParams({ org: identity.org })}` : ""}`;
  fill($("identity"), identityBar(config, () => {
    const params = new URLSearchParams(location.search);
    if (identity.org) params.set("org", identity.org);
    else params.delete("org");
    history.replaceState(null, "", `${location.pathname}?${params}`);
    $("home").href = home();
    load();
  }));
  $("home").href = home();
  $("add-note").addEventListener("submit", addNote);
  await load();
  setInterval(() => {
    if (!document.hidden) load();
  }, REFRESH_SECONDS * 1000);
}

start();
