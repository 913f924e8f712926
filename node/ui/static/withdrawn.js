// Accepted papers whose certificate the issuer revoked since, on the queue page (shown only
// when there are some): each links to its review, where an officer revokes it.
"use strict";
const WITHDRAWN = 100;  // rows shown (the API's limit is 500)

function withdrawnRow(r) {
  const gone = r.withdrawn || {}, d = r.decision;
  const by = d ? `${d.officer} (officer)` : "machine";
  return cusdep.el("tr", { "data-sha256": r.document_sha256 },
    cusdep.el("td", {}, cusdep.el("a", { href: "/ui/review/" + r.document_sha256, text: cusdep.short(r.document_sha256) })),
    cusdep.el("td", { class: "number", title: r.certificate_number || "" }, cusdep.el("bdi", { text: r.certificate_number || "" })),
    cusdep.el("td", { text: by }),
    cusdep.el("td", { text: `${gone.by || "?"} at ${cusdep.when(gone.at)}` }),
    // isolated (<bdi>): a reason carrying U+202E must not turn the rest around
    cusdep.el("td", { class: "why", title: gone.reason || "" },
      cusdep.el("div", { class: "first" }, cusdep.el("bdi", { text: gone.reason || "" }))));
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!cusdep.token()) return;
  let rows;
  try { rows = await cusdep.json(`/api/v1/review/queue?state=withdrawn&limit=${WITHDRAWN + 1}`); }
  catch (e) { return; }  // the queue above says why (signed out, refused)
  const section = document.getElementById("withdrawn");
  section.dataset.loaded = String(rows.length);
  if (!rows.length) return;
  section.hidden = false;
  document.getElementById("withdrawn-more").hidden = rows.length <= WITHDRAWN;
  document.getElementById("withdrawn-rows").append(...rows.slice(0, WITHDRAWN).map(withdrawnRow));
});
