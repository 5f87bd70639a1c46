// The charts: open incidents per type and starts per severity over the window (uPlot on
// a canvas), top services (SVG bars) and the response-time tiles. Each chart sits in an
// element with role="img" and a label that says what it shows in words, for screen
// readers and for tests; a refresh updates a chart in place instead of rebuilding it.

import uPlot from "../vendor/uplot/uPlot.esm.js";
import { duration, fill, h, label } from "./dom.js";

const COLOURS = ["#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#be185d", "#4d7c0f"];
const SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"];
const SVG = "http://www.w3.org/2000/svg";
const plots = new WeakMap();

function total(values) {
  return values.reduce((sum, v) => sum + v, 0);
}

/** Draw (or redraw) a uPlot chart in `node` for `keys`, x values `xs` (bucket starts, epoch
 * seconds) and one column per key; `stacked` draws bars and `raw` is what the legend shows. */
function plot(node, keys, xs, columns, { stacked = false, raw = null } = {}) {
  const signature = keys.join("\u0000") + (stacked ? "|stacked" : "");
  const previous = plots.get(node);
  const data = [xs, ...columns];
  if (previous && previous.signature === signature) {
    previous.raw = raw;
    previous.chart.setData(data);
    return;
  }
  const entry = { signature, raw };
  const series = keys.map((key, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const one = { label: label(key), stroke: colour, width: 2, points: { show: false } };
    if (stacked) Object.assign(one, { fill: colour, width: 0, paths: uPlot.paths.bars({ size: [0.85, 64] }) });
    if (raw) one.value = (_, __, index, at) => (at === null ? "—" : entry.raw[index - 1][at]);
    return one;
  });
  entry.chart = new uPlot({
    width: Math.max(node.clientWidth, 240), height: 180,
    series: [{ label: "Bucket" }, ...series],
    axes: [{}, { size: 44 }],
    scales: { y: { range: (_, __, max) => [0, Math.max(1, max)] } },
    cursor: { drag: { x: false, y: false } },
  }, data, node);
  // Only now the old chart goes: removed first, the page would shrink for a moment and
  // the browser would move the person's scroll position.
  previous?.chart.destroy();
  plots.set(node, entry);
}

function describe(what, keys, columns) {
  const parts = keys.map((key, i) => `${label(key)} ${Math.max(0, ...columns[i])}`);
  return `${what}: the most in one bucket, ${parts.join(", ") || "none"}`;
}

/** Open incidents per type in each bucket of the window (GET /statistics/types). */
export function renderTypes(node, buckets) {
  const keys = Object.keys(buckets[0]?.counts ?? {});
  const columns = keys.map((key) => buckets.map((b) => b.counts[key]));
  node.setAttribute("aria-label", describe("Open incidents per type", keys, columns));
  plot(node, keys, buckets.map((b) => b.from), columns);
}

function severityRank(key) {
  const known = SEVERITY_ORDER.indexOf(key.toLowerCase());
  return known === -1 ? SEVERITY_ORDER.length : known;
}

/** Incidents starting in each bucket, by severity, stacked (GET /statistics/severities). */
export function renderSeverities(node, buckets) {
  const keys = Object.keys(buckets[0]?.counts ?? {})
    .sort((a, b) => severityRank(a) - severityRank(b) || a.localeCompare(b));
  const raw = keys.map((key) => buckets.map((b) => b.counts[key]));
  // Each series is drawn as the sum of itself and the ones after it, the tallest first,
  // so the bands stack; the legend still shows each severity's own count.
  const stacked = raw.map((_, i) => buckets.map((__, at) => total(raw.slice(i).map((r) => r[at]))));
  const starts = raw.map((r) => total(r));
  node.setAttribute("aria-label", `Incidents started per severity: ${
    keys.map((key, i) => `${label(key)} ${starts[i]}`).join(", ") || "none"}`);
  plot(node, keys, buckets.map((b) => b.from), stacked, { stacked: true, raw });
}

/** The services most often named, as horizontal bars (GET /statistics/{type}/top-services). */
export function renderTopServices(node, kind, rows) {
  node.setAttribute("aria-label", `Top services of type ${kind}: ${
    rows.map((r) => `${r.namespace ? `${r.namespace}/` : ""}${r.service} ${r.count}`).join(", ") || "none"}`);
  if (!rows.length) {
    fill(node, h("p", { class: "empty" }, `No ${kind} started in this window.`));
    return;
  }
  const most = Math.max(...rows.map((r) => r.count));
  const line = 22;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 330 ${rows.length * line}`);
  svg.setAttribute("width", "100%");
  svg.setAttribute("aria-hidden", "true");
  rows.forEach((r, i) => {
    const bar = document.createElementNS(SVG, "rect");
    for (const [name, value] of Object.entries({
      x: 160, y: i * line + 3, height: line - 6, width: Math.max(1, (r.count / most) * 130), rx: 2,
      fill: COLOURS[0],
    })) bar.setAttribute(name, value);
    const name = document.createElementNS(SVG, "text");
    name.setAttribute("x", 154);
    name.setAttribute("y", i * line + 15);
    name.setAttribute("text-anchor", "end");
    name.textContent = `${r.namespace ? `${r.namespace}/` : ""}${r.service}`.slice(0, 26);
    const count = document.createElementNS(SVG, "text");
    count.setAttribute("x", 166 + (r.count / most) * 130);
    count.setAttribute("y", i * line + 15);
    count.textContent = r.count.toLocaleString();
    svg.append(bar, name, count);
  });
  fill(node, svg);
}

function tile(title, stats, counted, of) {
  if (!stats || stats.p50 === null) {
    return h("div", { class: "tile" }, h("h3", {}, title), h("p", { class: "big" }, "—"),
      h("p", {}, "no incident in this window has one"));
  }
  return h("div", { class: "tile" }, h("h3", {}, title),
    h("p", { class: "big" }, duration(stats.p50), h("small", {}, " median")),
    h("p", {}, `p90 ${duration(stats.p90)} · mean ${duration(stats.mean)} · ${counted} of ${of}`));
}

/** Time to acknowledge and to resolve (GET /statistics/response-times), or why not. */
export function renderResponseTimes(node, buckets) {
  if (buckets === null) {
    fill(node,
      h("div", { class: "tile" }, h("h3", {}, "Time to acknowledge"), h("p", { class: "big" }, "not available"),
        h("p", {}, "this service has no response-times endpoint")),
      h("div", { class: "tile" }, h("h3", {}, "Time to resolve"), h("p", { class: "big" }, "not available"),
        h("p", {}, "this service has no response-times endpoint")));
    return;
  }
  const group = buckets[0]?.groups?.[0];
  fill(node,
    tile("Time to acknowledge", group?.timeToAcknowledge, group?.acknowledged, group?.count ?? 0),
    tile("Time to resolve", group?.timeToResolve, group?.resolved, group?.count ?? 0));
}

/** Redraw every uPlot chart at its container's width (the window was resized). */
export function resizeCharts(nodes) {
  for (const node of nodes) {
    const previous = plots.get(node);
    if (previous) previous.chart.setSize({ width: Math.max(node.clientWidth, 240), height: 180 });
  }
}
