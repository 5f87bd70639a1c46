// The dashboard page (/ui/): wires the URL state to the list, the facets and the charts,
// asks the API for each part, and refreshes every part on a timer without moving the
// person: the page, the filters and the scroll position stay as they were.

import { api, explain, uiConfig } from "./api.js";
import { renderResponseTimes, renderSeverities, renderTopServices, renderTypes, resizeCharts } from "./charts.js";
import { fill, h } from "./dom.js";
import { renderFacets } from "./facets.js";
import { identityBar } from "./identity.js";
import { renderList } from "./list.js";
import { listFilters, MANY, parse, record, span, TYPES } from "./state.js";
import { windowControl } from "./timewindow.js";

const STEPS = [60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 604800];
const $ = (id) => document.getElementById(id);

let state = parse(location.search);
const REFRESH_SECONDS = state.refresh ?? 15;
let generation = 0;
let config;

/** About 24-60 buckets of a round length over the window. */
function buckets({ from, to }) {
  const length = to - from;
  const step = STEPS.find((s) => length / s <= 60) ?? STEPS.at(-1);
  return Math.max(1, Math.min(10000, Math.round(length / step)));
}

function topType() {
  return state.topType ?? (state.filters.type.length === 1 ? state.filters.type[0] : "INCIDENT");
}

function message(text) {
  const node = $("message");
  node.hidden = !text;
  node.textContent = text ?? "";
}

/** Ask for every part (or only the list, for a page turn); render what comes back. */
async function load({ listOnly = false } = {}) {
  const mine = ++generation;
  const now = Math.floor(Date.now() / 1000);
  const window = span(state, now);
  const filters = listFilters(state, now);
  const paging = { cursor: state.cursor, direction: state.cursor === null ? null : state.direction };
  const charts = { timestampFrom: window.from, timestampTo: window.to, buckets: buckets(window) };
  const kind = topType();
  const oneType = state.filters.type.length === 1 ? state.filters.type : null;
  const parts = listOnly
    ? { list: api("/incidents", { params: { ...filters, ...paging, pageSize: state.pageSize } }) }
    : {
      facets: api("/incidents/facets", { params: { ...filters, ...paging, limit: state.pageSize } }),
      types: api("/statistics/types", { params: { ...charts, type: state.filters.type } }),
      severities: api("/statistics/severities", { params: charts }),
      top: api(`/statistics/${kind}/top-services`, {
        params: { startTimestampFrom: window.from, startTimestampTo: window.to, limit: 10 },
      }),
      times: config.endpoints?.responseTimes
        ? api("/statistics/response-times", { params: { ...charts, buckets: 1, type: oneType } })
        : Promise.resolve(null),
    };
  const names = Object.keys(parts);
  const settled = await Promise.allSettled(Object.values(parts));
  if (mine !== generation) return;
  const answers = Object.fromEntries(names.map((name, i) => [name, settled[i]]));
  const failures = settled.filter((s) => s.status === "rejected").map((s) => s.reason);
  const renderers = {
    list: (page) => renderList($("list"), page, turn),
    facets: (page) => {
      renderList($("list"), page, turn);
      renderFacets($("facets"), page.facets, state.filters, toggle);
    },
    types: (answer) => renderTypes($("types"), answer),
    severities: (answer) => renderSeverities($("severities"), answer),
    top: (answer) => renderTopServices($("top"), kind, answer),
    times: (answer) => renderResponseTimes($("times"), answer),
  };
  for (const [name, outcome] of Object.entries(answers)) {
    if (outcome.status === "fulfilled") renderers[name](outcome.value);
  }
  // The response-times endpoint may be missing from an older service: its tiles then say
  // so, as they do when the page's config already knew.
  if (answers.times?.status === "rejected" && answers.times.reason.status === 404) {
    renderResponseTimes($("times"), null);
  }
  const shown = failures.filter((e) => !(e === answers.times?.reason && e.status === 404));
  message(shown.length ? explain(shown[0]) : null);
  $("updated").textContent = `Updated ${new Date().toLocaleTimeString()} · refreshes every ${REFRESH_SECONDS} s`;
  markReady(shown.length === 0);
}

/** The first complete screen sets a marker (and a performance mark) tests and benchmarks wait for. */
function markReady(complete) {
  const root = document.documentElement;
  root.dataset.loads = String(Number(root.dataset.loads ?? 0) + 1);
  if (complete && root.dataset.ready !== "true") {
    root.dataset.ready = "true";
    performance.mark("dashboard-ready");
  }
}

function change(update, { listOnly = false } = {}) {
  state = { ...state, ...update };
  record(state);
  if (!listOnly) controls();
  load({ listOnly });
}

function toggle(name, value, on) {
  const filters = { ...state.filters };
  if (MANY.includes(name)) {
    filters[name] = on ? [...filters[name], value] : filters[name].filter((v) => v !== value);
  } else {
    filters[name] = on ? value : null;
  }
  change({ filters, cursor: null, direction: "NEXT" });
}

function turn(cursor, direction) {
  change({ cursor, direction }, { listOnly: true });
  $("list").scrollIntoView({ block: "start" });
}

function chooseWindow(update) {
  change({ ...update, cursor: null, direction: "NEXT" });
}

function topTypeControl() {
  const select = h("select", { id: "top-type", "aria-label": "Type of the top services" },
    TYPES.map((t) => h("option", { value: t, selected: t === topType() }, t)));
  select.addEventListener("change", () => change({ topType: select.value }));
  return select;
}

/** The controls that show the state: the window and the top services' type. */
function controls() {
  fill($("window"), windowControl(state, chooseWindow));
  fill($("top-type-slot"), topTypeControl());
}

async function start() {
  config = await uiConfig().catch(() => ({ apiKeys: false, defaultOrg: false, endpoints: {} }));
  fill($("identity"), identityBar(config, (tenantChanged) => {
    if (tenantChanged) state = { ...state, cursor: null, direction: "NEXT" };
    record(state);
    load();
  }));
  controls();
  // The org remembered from an earlier visit goes into the URL, so that it can be shared.
  record(state, { replace: true });
  window.addEventListener("popstate", () => {
    state = parse(location.search);
    controls();
    load();
  });
  new ResizeObserver(() => resizeCharts([$("types"), $("severities")])).observe($("charts"));
  await load();
  setInterval(() => {
    if (!document.hidden) load();
  }, REFRESH_SECONDS * 1000);
}

start();
