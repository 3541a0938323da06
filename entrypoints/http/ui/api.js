// The dashboard's only way to the backend: every request carries the signed-in credential
// (an API key or a short-lived UI token) as a bearer token. A 401 forgets it and sends the
// user back to the sign-in form.

const STORE = "synth-ai.credential";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let signedOut = () => {};

export function onSignedOut(handler) {
  signedOut = handler;
}

export function credential() {
  return sessionStorage.getItem(STORE);
}

export function remember(value) {
  sessionStorage.setItem(STORE, value);
}

export function forget() {
  sessionStorage.removeItem(STORE);
}

function headers(extra = {}) {
  return { Authorization: `Bearer ${credential() || ""}`, ...extra };
}

async function failure(response) {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  if (response.status === 401) {
    forget();
    signedOut(message);
  }
  return new ApiError(response.status, message);
}

async function send(path, { method = "GET", body, signal } = {}) {
  if (!credential()) {
    signedOut("Sign in with an API key.");
    throw new ApiError(401, "not signed in");
  }
  const init = { method, headers: headers({ Accept: "application/json" }), signal };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) throw await failure(response);
  return response;
}

export async function getJson(path, options) {
  return (await send(path, options)).json();
}

/** The JSON, or null when the server has no such endpoint or record (404). */
export async function getOptional(path, options) {
  try {
    return await getJson(path, options);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export async function postJson(path, body = {}) {
  return (await send(path, { method: "POST", body })).json();
}

/** A file the API answers, saved through the browser (a link cannot carry the header). */
export async function saveFile(path, fallbackName) {
  const response = await send(path);
  const disposition = response.headers.get("Content-Disposition") || "";
  const named = /filename="?([^";]+)"?/.exec(disposition);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = named ? named[1] : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Server-sent events over a streaming fetch (EventSource cannot send an Authorization header).
 * Calls onEvent({event, data, id}) per event, data parsed as JSON when it is JSON. Resolves when
 * the server ends the stream; rejects with ApiError when it refuses it (404 if there is none).
 */
export async function streamEvents(path, onEvent, { signal } = {}) {
  const response = await send(path, { signal });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = { event: "message", data: [], id: null };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        if (event.data.length) onEvent({ ...event, data: parsed(event.data.join("\n")) });
        event = { event: "message", data: [], id: null };
        continue;
      }
      if (line.startsWith(":")) continue; // a comment (keep-alive)
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") event.data.push(text);
      else if (field === "event") event.event = text;
      else if (field === "id") event.id = text;
    }
  }
}

function parsed(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
