// The one way the pages reach the service: /api/v1 on this origin, with the identity's
// headers, answers parsed, failures turned into an ApiError a person can read.

import { identity } from "./identity.js";

export class ApiError extends Error {
  constructor(status, message, fields = []) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

/** Query parameters: arrays become repeated keys, null and undefined are left out. */
export function query(params = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const one of [].concat(value ?? [])) search.append(name, String(one));
  }
  return search;
}

export async function api(path, { method = "GET", params, body, headers = {} } = {}) {
  const search = query(params).toString();
  const all = { Accept: "application/json", ...identity.headers(), ...headers };
  if (body !== undefined) all["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`/api/v1${path}${search ? `?${search}` : ""}`, {
      method, headers: all, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "unreachable");
  }
  const text = await response.text();
  const json = (response.headers.get("content-type") || "").includes("json") && text;
  const data = json ? JSON.parse(text) : text;
  if (!response.ok) {
    const errors = data?._embedded?.errors ?? [];
    throw new ApiError(response.status, data?.message || response.statusText, errors);
  }
  return data;
}

/** What went wrong, in words for the person: what it means and what to do. */
export function explain(error) {
  if (!(error instanceof ApiError)) return `Something went wrong in the page: ${error.message}`;
  const detail = error.fields.map((f) => f.message).join("; ");
  const org = identity.org ? `tenant “${identity.org}”` : "no tenant";
  switch (error.status) {
    case 0:
      return "The service cannot be reached. The page keeps trying; check the service or your network.";
    case 401:
      return error.fields.some((f) => f.path === "Authorization")
        ? "This service needs an API key: enter a valid key above."
        : `This service needs a tenant: enter your org above (${detail}).`;
    case 403:
      return `Your API key may not read ${org}: choose another org or key.`;
    case 404:
      return `Not found in ${org}: it may belong to another tenant, or not exist.`;
    case 503:
      return "The service is overloaded just now; the page tries again shortly.";
    default:
      return `The service answered ${error.status} ${error.message}${detail ? `: ${detail}` : ""}.`;
  }
}

/** The page's own switches, from /ui/config.json. */
export async function uiConfig() {
  const response = await fetch("/ui/config.json", { cache: "no-store" });
  return response.json();
}
