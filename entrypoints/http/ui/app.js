// The shell: sign-in (an API key typed in, or a `#token=` link from `synth-ai ui`), sign-out,
// the navigation and a hash router that loads one page module per view.

import { ApiError, credential, forget, getJson, onSignedOut, remember } from "./api.js";
import { h, message } from "./dom.js";

const ROUTES = [
  [/^#\/experiments\/([\w.-]+)$/, "experiment"],
  [/^#\/experiments$/, "experiments"],
  [/^#\/artifacts\/([\w.-]+)$/, "artifact"],
  [/^#\/artifacts$/, "artifacts"],
  [/^#\/sessions\/([\w.-]+)$/, "session"],
  [/^#\/sessions$/, "sessions"],
  [/^#\/workers$/, "workers"],
];
const HOME = "#/experiments";

const view = document.getElementById("view");
const header = document.getElementById("top");
const signInForm = document.getElementById("sign-in");
const signInError = document.getElementById("sign-in-error");
let leaving = new AbortController();

function takeTokenFromUrl() {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match) return;
  remember(decodeURIComponent(match[1]));
  // Out of the address bar and the history at once: the token is a credential.
  history.replaceState(null, "", `${location.pathname}${HOME}`);
}

function showSignIn(reason) {
  leaving.abort();
  view.replaceChildren();
  header.hidden = true;
  signInForm.hidden = false;
  signInError.textContent = reason || "";
  document.getElementById("api-key").focus();
}

async function signedIn() {
  const me = await getJson("/api/v1/me");
  signInForm.hidden = true;
  header.hidden = false;
  document.getElementById("who").textContent = `org ${me.org_id}`;
  if (!ROUTES.some(([pattern]) => pattern.test(location.hash))) location.hash = HOME;
  else route();
}

async function route() {
  if (!credential()) return showSignIn();
  leaving.abort();
  leaving = new AbortController();
  const found = ROUTES.find(([pattern]) => pattern.test(location.hash));
  if (!found) {
    location.hash = HOME;
    return;
  }
  const [pattern, name] = found;
  const params = pattern.exec(location.hash).slice(1);
  for (const a of header.querySelectorAll("nav a")) {
    a.classList.toggle("active", location.hash.startsWith(a.getAttribute("href")));
  }
  const signal = leaving.signal;
  // Each visit renders into a section of its own: a page still loading when the user moves on
  // writes into a detached section, never over the next page.
  const screen = h("section", { id: "page", dataset: { page: name } }, message("Loading…"));
  view.replaceChildren(screen);
  try {
    const page = await import(`./pages/${name}.js`);
    await page.render(screen, params, signal);
  } catch (error) {
    if (signal.aborted || (error instanceof ApiError && error.status === 401)) return;
    screen.replaceChildren(message(error.message || String(error), "error"));
  }
}

signInForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("api-key");
  remember(input.value.trim());
  input.value = "";
  try {
    await signedIn();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) showSignIn(error.message);
  }
});

document.getElementById("sign-out").addEventListener("click", () => {
  forget();
  history.replaceState(null, "", location.pathname);
  showSignIn("Signed out.");
});

onSignedOut((reason) => showSignIn(reason));
window.addEventListener("hashchange", () => {
  if (/^#token=/.test(location.hash)) {
    takeTokenFromUrl();
    signedIn().catch(() => {});
  } else if (credential()) {
    route();
  }
});

takeTokenFromUrl();
if (credential()) signedIn().catch((error) => showSignIn(error.message));
else showSignIn();
