"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const form = document.getElementById("signin");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    cusdep.setToken(document.getElementById("token").value.trim());
    const next = new URLSearchParams(location.search).get("next");
    location.href = next && next.startsWith("/ui/") ? next : "/ui/";
  });
  if (!cusdep.token()) { form.hidden = false; return; }
  const section = document.getElementById("queue");
  section.hidden = false;
  let rows;
  try { rows = await cusdep.json("/api/v1/review/queue?state=open"); }
  catch (e) { form.hidden = false; section.hidden = true;
              document.getElementById("signin-error").textContent = e.message; return; }
  const body = document.getElementById("queue-rows");
  document.getElementById("queue-empty").hidden = rows.length > 0;
  for (const r of rows) {
    const link = cusdep.el("a", { href: "/ui/review/" + r.document_sha256, text: cusdep.short(r.document_sha256) });
    const seal = r.seal ? (r.seal.match ? "match" : (r.seal.found ? "mismatch" : "not found")) : "";
    body.append(cusdep.el("tr", {},
      cusdep.el("td", {}, link), cusdep.el("td", { text: r.certificate_number || "" }),
      cusdep.el("td", { text: r.template_id || "" }),
      cusdep.el("td", {}, cusdep.el("span", { class: "badge " + (r.verdict || ""), text: r.verdict || r.state })),
      cusdep.el("td", { class: seal === "match" ? "ok" : "bad", text: seal }),
      cusdep.el("td", { text: (r.queued_at || "").replace("T", " ").slice(0, 19) })));
  }
});
