// The window control: presets that end now, or a fixed from/to in the person's local time.

import { h } from "./dom.js";
import { fixed, PRESETS } from "./state.js";

function local(seconds) {
  if (seconds === null) return "";
  const moment = new Date(seconds * 1000);
  const offset = moment.getTimezoneOffset() * 60000;
  return new Date(moment.getTime() - offset).toISOString().slice(0, 16);
}

function seconds(value) {
  return value ? Math.floor(new Date(value).getTime() / 1000) : null;
}

/** The control for `state`; `choose(change)` gets {window} or {startTimestamp, endTimestamp}. */
export function windowControl(state, choose) {
  const presets = Object.keys(PRESETS).map((name) => h("button", {
    type: "button", class: "preset", "aria-pressed": String(!fixed(state) && state.window === name),
    dataset: { window: name }, onclick: () => choose({ window: name, startTimestamp: null, endTimestamp: null }),
  }, name));
  const from = h("input", { type: "datetime-local", id: "from", value: local(state.startTimestamp) });
  const to = h("input", { type: "datetime-local", id: "to", value: local(state.endTimestamp) });
  const form = h("form", { class: "window", "aria-label": "Time window" },
    h("span", { class: "presets", role: "group", "aria-label": "Last" }, "Last ", presets),
    h("label", { for: "from" }, "From"), from,
    h("label", { for: "to" }, "to"), to,
    h("button", { type: "submit" }, "Apply"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const start = seconds(from.value);
    const end = seconds(to.value);
    if (start === null && end === null) choose({ startTimestamp: null, endTimestamp: null });
    else choose({ startTimestamp: start, endTimestamp: end });
  });
  return form;
}
