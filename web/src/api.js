// The REST API of otplab serve (API.md section 10): every answer is an
// envelope {success, data, ...} or {success: false, error: {code, message}}.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// A server started with --token (any bind but loopback) is opened as
// URL/?token=T: the token is kept for this tab and taken out of the address.
const TOKEN_KEY = "otplab-token";
(function takeToken() {
  const url = new URL(location.href);
  const given = url.searchParams.get("token");
  if (!given) return;
  sessionStorage.setItem(TOKEN_KEY, given);
  url.searchParams.delete("token");
  history.replaceState(null, "", url.pathname + url.search + url.hash);
})();
export const token = () => sessionStorage.getItem(TOKEN_KEY);

export async function api(method, path, body) {
  const init = { method, headers: {} };
  if (token()) init.headers.authorization = `Bearer ${token()}`;
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, "network", `the server cannot be reached (${err.message}); is otplab serve still running?`);
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(res.status, "bad_response", `the server answered ${res.status} with something that is not JSON`);
  }
  if (json && json.success === false) {
    if (res.status === 401) {
      throw new ApiError(401, json.error?.code, "this server needs its token: open the dashboard as "
        + `${location.origin}/?token=TOKEN with the token otplab serve printed`);
    }
    throw new ApiError(res.status, json.error?.code, json.error?.message || `error ${res.status}`);
  }
  return { status: res.status, json };
}

export const get = async (path) => (await api("GET", path)).json;
export const post = async (path, body) => (await api("POST", path, body ?? {})).json;
export const del = async (path) => (await api("DELETE", path)).json;

// "<0.5.0>" -> "0.5.0", as paths accept it.
export const pidPath = (pid) => encodeURIComponent(String(pid).replace(/[<>]/g, ""));
export const isPid = (v) => typeof v === "string" && /^<\d+\.\d+\.\d+>$/.test(v);

// Runs fn over items with at most n calls in flight: a browser refuses
// thousands of parallel requests (ERR_INSUFFICIENT_RESOURCES).
export async function inPool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return results;
}
