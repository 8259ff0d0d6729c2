// Requests to the server's API (docs/openapi.json), with errors as values the pages can
// explain: {status, code, message, retryAfter}, or status 0 when the network failed.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    Object.assign(this, { status, code, retryAfter });
  }
}

export async function api(path, { method = "GET", body, token, timeout = 20000 } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = "Bearer " + token;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeout);
  let res;
  try {
    res = await fetch("/api/v1" + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: ctl.signal,
      cache: "no-store", credentials: "omit",
    });
  } catch (e) {
    throw new ApiError(0, "network", String(e?.message ?? e));
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const err = data?.error ?? {};
    const after = Number(res.headers.get("Retry-After") ?? err.retry_after ?? 0);
    throw new ApiError(res.status, err.code ?? data?.code ?? "http_" + res.status,
      err.message ?? data?.message ?? res.statusText, after);
  }
  return data;
}

export function base64ToBytes(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
