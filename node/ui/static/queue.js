"use strict";
const PAGE = 50;  // rows per page of the queue (the API's limit is 500)

function sealCell(r) {
  if (r.kind === "electronic") return { text: "none (electronic)", cls: "muted" };
  // a seal that matches its specimen but is the very stamping on another paper is a copy
  const copied = (r.reasons || []).some((why) => why.startsWith("seal.unique"));
  if (!r.seal) return { text: "", cls: "" };
  if (r.seal.match && copied) return { text: "copied", cls: "bad" };
  return r.seal.match ? { text: "match", cls: "ok" } : { text: r.seal.found ? "mismatch" : "not found", cls: "bad" };
}

document.addEventListener("DOMContentLoaded", async () => {
  const form = document.getElementById("signin");
  const params = new URLSearchParams(location.search);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    cusdep.setToken(document.getElementById("token").value.trim());
    const next = params.get("next");
    location.href = next && next.startsWith("/ui/") ? next : "/ui/";
  });
  if (!cusdep.token()) {
    form.hidden = false;
    document.getElementById("token").focus();  // paste the token and press Enter
    const why = cusdep.whySignedOut();
    if (why) document.getElementById("signin-error").textContent = `Signed out: ${why}. Sign in again to go on.`;
    return;
  }
  const section = document.getElementById("queue");
  section.hidden = false;
  const offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
  let rows;
  // one row more than a page: whether a next page exists
  try { rows = await cusdep.json(`/api/v1/review/queue?state=open&limit=${PAGE + 1}&offset=${offset}`); }
  catch (e) { form.hidden = false; section.hidden = true;
              document.getElementById("signin-error").textContent = e.message; return; }
  const more = rows.length > PAGE;
  rows = rows.slice(0, PAGE);
  const body = document.getElementById("queue-rows");
  document.getElementById("queue-empty").hidden = rows.length > 0;
  for (const r of rows) {
    const link = cusdep.el("a", { href: "/ui/review/" + r.document_sha256, text: cusdep.short(r.document_sha256) });
    const seal = sealCell(r);
    const reasons = r.reasons || [];
    // the first reason read in the cell (two lines at most, all of them on hover), isolated
    // (<bdi>): a value in it carrying U+202E must not turn the rest around
    const why = [cusdep.el("div", { class: "first" }, cusdep.el("bdi", { text: reasons[0] || "" }))];
    if (reasons.length > 1) why.push(cusdep.el("div", { class: "more muted", text: `(+${reasons.length - 1} more)` }));
    body.append(cusdep.el("tr", {},
      cusdep.el("td", {}, link),
      cusdep.el("td", { class: "number", title: r.certificate_number || "" }, cusdep.el("bdi", { text: r.certificate_number || "" })),
      r.kind === "electronic"  // a partner's certificate held for its own status: no scan, no seal
        ? cusdep.el("td", { class: "kind", title: "an electronic certificate held for its status, not a scan", text: "electronic certificate" })
        : cusdep.el("td", { class: "number", text: r.template_id || "" }),
      cusdep.el("td", {}, cusdep.el("span", { class: "badge " + (r.verdict || ""), text: r.verdict || r.state })),
      cusdep.el("td", { class: seal.cls, text: seal.text }),
      cusdep.el("td", { class: "why", title: reasons.join("\n") }, ...why),
      cusdep.el("td", { class: "at", text: cusdep.when(r.queued_at) })));
  }
  document.getElementById("queue-range").textContent =
    rows.length ? `${offset + 1}–${offset + rows.length}` : `none from ${offset + 1}`;
  const prev = document.getElementById("queue-prev"), next = document.getElementById("queue-next");
  prev.hidden = offset === 0;
  prev.href = "/ui/?offset=" + Math.max(0, offset - PAGE);
  next.hidden = !more;
  next.href = "/ui/?offset=" + (offset + PAGE);
});
