// The dashboard's state lives in its URL, under the list filters' own names (API.md),
// so that a view can be bookmarked and shared, and back and forward move between views.
//
//   org                      the tenant
//   type status category service namespace metric source   several values each
//   resolution acknowledged  one value each
//   startTimestamp endTimestamp   a fixed window (epoch seconds, either may be left out)
//   window                   a window ending now: 1h 6h 24h 7d 30d (default 24h)
//   cursor direction pageSize     the page (the API's cursor paging)
//   topType                  which type's top services the chart shows
//   refresh                  seconds between refreshes (at least 2; default 15)

import { identity } from "./identity.js";

export const MANY = ["type", "status", "category", "service", "namespace", "metric", "source"];
export const ONE = ["resolution", "acknowledged"];
export const PRESETS = { "1h": 3600, "6h": 21600, "24h": 86400, "7d": 604800, "30d": 2592000 };
export const DEFAULT_WINDOW = "24h";
export const TYPES = ["INCIDENT", "ANOMALY", "ALERT"];

function number(text) {
  if (text === null || text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** The state a query string holds; unknown or malformed values fall back to defaults. */
export function parse(search) {
  const params = new URLSearchParams(search);
  const state = { filters: {} };
  for (const name of MANY) {
    const values = params.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim());
    state.filters[name] = [...new Set(values.filter(Boolean))];
  }
  for (const name of ONE) state.filters[name] = params.get(name);
  state.startTimestamp = number(params.get("startTimestamp"));
  state.endTimestamp = number(params.get("endTimestamp"));
  const preset = params.get("window");
  state.window = preset in PRESETS ? preset : DEFAULT_WINDOW;
  state.cursor = number(params.get("cursor"));
  state.direction = params.get("direction") === "PREVIOUS" ? "PREVIOUS" : "NEXT";
  const size = number(params.get("pageSize"));
  state.pageSize = size >= 1 && size <= 100 ? Math.floor(size) : 20;
  const top = params.get("topType");
  state.topType = TYPES.includes(top) ? top : null;
  const refresh = number(params.get("refresh"));
  state.refresh = refresh >= 2 ? Math.floor(refresh) : null;
  return state;
}

/** Whether the window is fixed (from/to given) rather than ending now. */
export function fixed(state) {
  return state.startTimestamp !== null || state.endTimestamp !== null;
}

/** The query string of `state`: only what differs from the defaults. */
export function serialise(state) {
  const params = new URLSearchParams();
  if (identity.org) params.set("org", identity.org);
  for (const name of MANY) for (const value of state.filters[name]) params.append(name, value);
  for (const name of ONE) if (state.filters[name] !== null) params.set(name, state.filters[name]);
  if (fixed(state)) {
    if (state.startTimestamp !== null) params.set("startTimestamp", state.startTimestamp);
    if (state.endTimestamp !== null) params.set("endTimestamp", state.endTimestamp);
  } else if (state.window !== DEFAULT_WINDOW) {
    params.set("window", state.window);
  }
  if (state.cursor !== null) {
    params.set("cursor", state.cursor);
    if (state.direction !== "NEXT") params.set("direction", state.direction);
  }
  if (state.pageSize !== 20) params.set("pageSize", state.pageSize);
  if (state.topType) params.set("topType", state.topType);
  if (state.refresh) params.set("refresh", state.refresh);
  return params.toString();
}

/** The window as [from, to) epoch seconds, at `now`. */
export function span(state, now) {
  if (!fixed(state)) return { from: now - PRESETS[state.window], to: now };
  const to = state.endTimestamp ?? now;
  return { from: state.startTimestamp ?? to - 86400, to };
}

/** The list filters to send: the URL's, with a window ending now made absolute. */
export function listFilters(state, now) {
  const params = { ...state.filters };
  if (fixed(state)) {
    params.startTimestamp = state.startTimestamp;
    params.endTimestamp = state.endTimestamp;
  } else {
    params.startTimestamp = now - PRESETS[state.window];
  }
  return params;
}

/** Record `state` as a new history entry (the person did something) or in place. */
export function record(state, { replace = false } = {}) {
  const search = serialise(state);
  const url = `${location.pathname}${search ? `?${search}` : ""}`;
  if (url === `${location.pathname}${location.search}`) return;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
}
