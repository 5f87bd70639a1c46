// Who the page acts as: the tenant (org), the person's user id and, when the service
// has API keys, the bearer key. Each comes from the URL first, else what this browser
// remembered. The org and user live in localStorage; the key only in sessionStorage, so
// that a secret does not outlive the tab.

import { h } from "./dom.js";

const ORG = "incidents.org";
const USER = "incidents.user";
const KEY = "incidents.key";

const fromUrl = new URLSearchParams(location.search);

export const identity = {
  org: fromUrl.get("org") ?? localStorage.getItem(ORG) ?? "",
  user: fromUrl.get("user") ?? localStorage.getItem(USER) ?? "",
  key: sessionStorage.getItem(KEY) ?? "",

  /** The headers every API call carries. */
  headers() {
    const headers = {};
    if (this.org) headers["X-Scope-OrgID"] = this.org;
    if (this.key) headers.Authorization = `Bearer ${this.key}`;
    return headers;
  },

  remember() {
    for (const [name, value, storage] of [
      [ORG, this.org, localStorage], [USER, this.user, localStorage], [KEY, this.key, sessionStorage],
    ]) {
      if (value) storage.setItem(name, value);
      else storage.removeItem(name);
    }
  },
};
identity.remember();

/** The bar that shows and changes the identity; `changed()` runs after the person applies. */
export function identityBar(config, changed) {
  const org = h("input", { id: "org", name: "org", value: identity.org, size: 14,
    placeholder: config.defaultOrg ? "default" : "tenant", autocomplete: "organization" });
  const user = h("input", { id: "user", name: "user", value: identity.user, size: 14,
    placeholder: "your user id", autocomplete: "username" });
  const key = config.apiKeys
    ? h("input", { id: "key", name: "key", type: "password", value: identity.key, size: 18,
      placeholder: "API key", autocomplete: "off" })
    : null;
  const form = h("form", { class: "identity", "aria-label": "Tenant and user" },
    h("label", { for: "org" }, "Org"), org,
    h("label", { for: "user" }, "User"), user,
    key && h("label", { for: "key" }, "Key"), key,
    h("button", { type: "submit" }, "Apply"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const tenantChanged = org.value.trim() !== identity.org;
    identity.org = org.value.trim();
    identity.user = user.value.trim();
    if (key) identity.key = key.value.trim();
    identity.remember();
    changed(tenantChanged);
  });
  return form;
}
