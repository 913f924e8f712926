// The declaration-certificate pairs waiting for an officer, on the queue page: clear or refuse.
"use strict";
const CHECKS = 100;  // pairs shown (the API's limit is 500)

function checkRow(c, canDecide) {
  const reasons = c.reasons || [];
  const against = c.source === "paper"
    ? cusdep.el("a", { href: "/ui/review/" + c.certificate_sha256, text: "paper " + cusdep.short(c.certificate_sha256) })
    : cusdep.el("span", { text: c.source ? `${c.source} ${cusdep.short(c.certificate_sha256)}` : "" });
  const reason = cusdep.el("input", { type: "text", class: "reason", "aria-label": "reason", placeholder: "reason" });
  const status = cusdep.el("span", { class: "error", role: "alert" });
  const row = cusdep.el("tr", { "data-declaration": c.declaration_sha256, "data-certificate": c.certificate_number });
  const decide = async (decision) => {
    status.textContent = "";
    const path = `/api/v1/declaration-checks/${c.declaration_sha256}/${encodeURIComponent(c.certificate_number)}/decision`;
    try {
      const out = await cusdep.json(path, {
        method: "POST", headers: { "Content-Type": "application/json" },
        // the check looked at: one checked again since is refused (409), not decided blind
        body: JSON.stringify({ decision, reason: reason.value.trim(), generation: c.generation }),
      });
      row.querySelector("td.decision").replaceChildren(`${out.decision} by ${out.decided_by}${out.decided_at ? " at " + cusdep.when(out.decided_at) : ""}`);
      row.classList.add("decided");
    } catch (e) { status.textContent = e.message; }
  };
  const clear = cusdep.el("button", { type: "button", class: "clear", text: "Clear" });
  const refuse = cusdep.el("button", { type: "button", class: "refuse", text: "Refuse" });
  clear.addEventListener("click", () => decide("clear"));
  refuse.addEventListener("click", () => decide("refuse"));
  const label = c.declaration_number || cusdep.short(c.declaration_sha256);
  row.append(
    cusdep.el("td", { title: c.declaration_sha256 }, cusdep.el("bdi", { text: label })),
    // the number as issued ("AU-2026-000123"), not the key the pairs are filed under ("AU2026000123")
    cusdep.el("td", { class: "number", title: c.certificate_printed || c.certificate_number },
      cusdep.el("bdi", { text: c.certificate_printed || c.certificate_number })),
    cusdep.el("td", {}, against),
    cusdep.el("td", {}, cusdep.el("span", { class: "badge " + (c.verdict || ""), text: c.state })),
    // each reason isolated (<bdi>): a value carrying U+202E must not turn the rest around
    cusdep.el("td", { class: "why", title: reasons.join("\n") },
      ...reasons.map((why) => cusdep.el("div", {}, cusdep.el("bdi", { text: why })))),
    canDecide ? cusdep.el("td", { class: "decision" }, reason, clear, refuse, status)
      : cusdep.el("td", { class: "decision muted", text: "an officer decides" }));
  return row;
}

document.addEventListener("DOMContentLoaded", async () => {
  if (!cusdep.token()) return;
  let rows, me;
  try {
    rows = await cusdep.json(`/api/v1/declaration-checks?state=open&limit=${CHECKS + 1}`);
    me = await cusdep.json("/api/v1/me");
  } catch (e) { return; }  // the queue above says why (signed out, refused)
  const canDecide = me.role === "officer" || me.role === "admin";
  const section = document.getElementById("checks");
  section.hidden = false;
  document.getElementById("checks-empty").hidden = rows.length > 0;
  document.getElementById("checks-more").hidden = rows.length <= CHECKS;
  document.getElementById("checks-rows").append(...rows.slice(0, CHECKS).map((c) => checkRow(c, canDecide)));
});
