// Shared helpers: the bearer token (sessionStorage of this tab), API calls, safe DOM building.
"use strict";
const TOKEN_KEY = "cusdep.token";
const WHY_KEY = "cusdep.signed-out";  // why the last page signed out (the API's 401 detail)

const cusdep = {
  token() { return sessionStorage.getItem(TOKEN_KEY); },
  setToken(t) { sessionStorage.setItem(TOKEN_KEY, t); },
  signOut() { sessionStorage.removeItem(TOKEN_KEY); location.href = "/ui/"; },
  // the token was refused (expired, revoked): sign in again and come back to this page
  signedOut(why) {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.setItem(WHY_KEY, why);
    const here = location.pathname + location.search;
    location.href = here.startsWith("/ui/") && here !== "/ui/" ? "/ui/?next=" + encodeURIComponent(here) : "/ui/";
  },
  whySignedOut() {
    const why = sessionStorage.getItem(WHY_KEY);
    sessionStorage.removeItem(WHY_KEY);
    return why;
  },

  async api(path, options = {}) {
    const headers = Object.assign({ Authorization: "Bearer " + cusdep.token() }, options.headers || {});
    const resp = await fetch(path, Object.assign({}, options, { headers }));
    if (!resp.ok) {
      let detail = resp.statusText;
      try { detail = (await resp.json()).detail || detail; } catch (e) { /* not JSON */ }
      if (resp.status === 401) { cusdep.signedOut(detail); throw new Error("signed out: " + detail); }
      const err = new Error(detail); err.status = resp.status; throw err;
    }
    return resp;
  },
  async json(path, options) { return (await cusdep.api(path, options)).json(); },
  async imageInto(img, path) {
    try {
      const blob = await (await cusdep.api(path)).blob();
      img.src = URL.createObjectURL(blob);
      img.hidden = false;
      return true;
    } catch (e) { img.hidden = true; return false; }
  },
  el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v; else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  },
  short(sha) { return sha ? sha.slice(0, 12) + "…" : ""; },
  // an ISO time as every page shows it: "2026-01-31 09:15:02 UTC" (to the second, in UTC
  // whatever the officer's clock says; a time without its zone is the API's UTC)
  when(at) {
    if (!at) return "";
    const t = new Date(/(Z|[+-]\d\d:?\d\d)$/.test(at) ? at : at + "Z");
    return isNaN(t) ? String(at) : t.toISOString().replace("T", " ").slice(0, 19) + " UTC";
  },
};

// A link may carry the token in its fragment (never sent to the server): keep it, drop it from the URL.
function takeTokenFromFragment() {
  const m = /^#token=([A-Za-z0-9_\-]+)$/.exec(location.hash);
  if (!m) return false;
  sessionStorage.setItem(TOKEN_KEY, m[1]);
  history.replaceState(null, "", location.pathname + location.search);
  return true;
}
takeTokenFromFragment();
window.addEventListener("hashchange", () => { if (takeTokenFromFragment()) location.reload(); });

document.addEventListener("DOMContentLoaded", () => {
  const out = document.getElementById("signout");
  if (cusdep.token() && out) {
    out.hidden = false;
    out.addEventListener("click", cusdep.signOut);
    cusdep.json("/api/v1/me").then((me) => {
      document.getElementById("who").textContent = `${me.subject} (${me.role}${me.country ? " " + me.country : ""})`;
    }).catch(() => {});
  }
});
