// The facets beside the list: counts per value over the filtered set, each facet counted
// with every filter but its own (the API computes them so), so that ticking more values
// of one facet widens the list (values of a facet are OR-ed) and the other facets narrow.

import { fill, h, label } from "./dom.js";
import { MANY, ONE } from "./state.js";

const TITLES = {
  type: "Type", status: "Status", category: "Category", severity: "Severity",
  priority: "Priority", resolution: "Resolution", source: "Source", sourceSite: "Site",
  service: "Service", namespace: "Namespace", metric: "Metric", acknowledged: "Acknowledged",
};

/** Whether `name` is a list filter, and so whether its values can be ticked. */
function filterable(name) {
  return MANY.includes(name) || ONE.includes(name);
}

function selected(filters, name) {
  if (MANY.includes(name)) return filters[name];
  return ONE.includes(name) && filters[name] !== null ? [filters[name]] : [];
}

/** Render `facets` into `node`; `toggle(name, value, on)` runs when a box is ticked. */
export function renderFacets(node, facets, filters, toggle) {
  const focused = document.activeElement?.dataset?.key;
  const groups = facets.map(({ name, values }) => {
    const chosen = selected(filters, name);
    const shown = values.map(({ value, count }) => ({ value: String(value), count }));
    // A ticked value the answer no longer counts stays visible, so it can be unticked.
    for (const value of chosen) {
      if (!shown.some((v) => v.value === value)) shown.push({ value, count: 0 });
    }
    const items = shown.map(({ value, count }) => {
      const key = `${name}=${value}`;
      const box = filterable(name)
        ? h("input", { type: "checkbox", checked: chosen.includes(value), dataset: { key },
          onchange: (event) => toggle(name, value, event.target.checked) })
        : null;
      return h("li", { dataset: { facet: name, value } },
        h("label", {}, box, h("span", { class: "value" }, label(value)),
          h("span", { class: "count" }, count.toLocaleString())));
    });
    return h("section", { class: "facet", dataset: { facet: name } },
      h("h3", {}, TITLES[name] ?? name, filterable(name) ? null : h("small", {}, " (counts only)")),
      items.length ? h("ul", {}, items) : h("p", { class: "empty" }, "none"));
  });
  fill(node, groups);
  if (focused) node.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
}
