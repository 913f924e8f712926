// The one-screen review: scan with boxes, findings, seal and signature beside their specimens,
// certificate vs declaration, decision with keyboard shortcuts, and the trace.
"use strict";
const $ = (id) => document.getElementById(id);
const state = { review: null, page: 0, showFields: true, canDecide: false, deciding: false, revoking: false };
const SVG = "http://www.w3.org/2000/svg";

function label(name) { return name.replace(/_/g, " "); }

function finding(r) {
  const cls = r.passed ? "pass" : "fail " + r.severity;
  return cusdep.el("li", { class: cls, "data-rule": r.id },
    cusdep.el("span", { class: "sev", text: r.passed ? "ok" : r.severity }),
    cusdep.el("code", { text: r.id }), " ", cusdep.el("span", { text: r.message }));
}

function renderFindings(review) {
  const failed = review.rules.filter((r) => !r.passed);
  const passed = review.rules.filter((r) => r.passed);
  $("findings").replaceChildren(...failed.map(finding));
  $("passed").replaceChildren(...passed.map(finding));
  $("passed-summary").textContent = `${passed.length} check${passed.length === 1 ? "" : "s"} passed`;
  $("passed-box").hidden = passed.length === 0;
  if (review.state === "pending") $("findings").append(cusdep.el("li", { class: "pass", text: "waiting for the machine review: the page shows it when it is done" }));
  else if (!review.rules.length) {
    // no rule ran: the verdict's reasons say why (no template fits, the page unreadable)
    const why = (review.reasons || []).length ? review.reasons : ["the machine could not read this document"];
    $("findings").append(...why.map((text) => cusdep.el("li", { class: "fail warning" },
      "no rule results: ", cusdep.el("bdi", { text }))));
  }
  else if (!failed.length) $("findings").append(cusdep.el("li", { class: "pass", text: "every check passed" }));
  $("reasons").textContent = (review.reasons || []).join(" · ");
}

function diffFields(review) {
  return new Set(review.comparison.filter((c) => c.match === false || c.copy_match === false).map((c) => c.field));
}

function drawBoxes(review) {
  const svg = $("scan-boxes");
  svg.replaceChildren();
  const page = (review.layout.pages || [])[state.page];
  if (!page) return;
  svg.setAttribute("viewBox", `0 0 ${page.width} ${page.height}`);
  const diffs = diffFields(review);
  const add = (box, cls, title) => {
    const [x0, y0, x1, y1] = box;
    const r = document.createElementNS(SVG, "rect");
    r.setAttribute("x", x0); r.setAttribute("y", y0);
    r.setAttribute("width", Math.max(1, x1 - x0)); r.setAttribute("height", Math.max(1, y1 - y0));
    r.setAttribute("class", cls);
    const t = document.createElementNS(SVG, "title"); t.textContent = title; r.append(t);
    svg.append(r);
  };
  if (state.showFields) {
    for (const [name, f] of Object.entries(review.layout.fields || {})) {
      if (f.page === state.page) add(f.box, diffs.has(name) ? "box diff" : "box field", label(name));
    }
  }
  const seal = review.layout.seal, sig = review.layout.signature;
  if (seal && seal.page === state.page) add(seal.box, "box seal " + (sealBad(review) ? "bad" : "ok"), "seal");
  if (sig && sig.page === state.page) add(sig.box, "box signature", "signature");
}

function showCapture(review, page) {
  // a photographed page was found on its background and made flat before the review, or,
  // its paper not found (a desk as light as the page), shown as it came: said of the seal
  // and signature on this page (a cover page, a page without them: nothing compared there)
  const here = ["seal", "signature"].filter((k) => review.layout[k] && review.layout[k].page === state.page);
  const flat = page && page.rectified, askew = page && page.photo_not_flat && here.length > 0, note = $("capture");
  note.hidden = !flat && !askew;
  if (askew) {
    note.textContent = "Photographed page whose paper could not be found to straighten it: shown as it came, " +
      `seen at an angle, so its ${here.join(" and ")} could not be compared reliably.`;
    return;
  }
  if (!flat) return;
  const paper = flat.paper || "its measured proportions";
  note.textContent = `Photographed page: its corners were found in the ${flat.photo_size.join("×")} photo ` +
    `and it was straightened to ${paper} (${flat.size.join("×")} px) before the review; boxes are on the straightened page.`;
}

async function showPage(review) {
  const page = (review.layout.pages || [])[state.page];
  showCapture(review, page);
  if (page) await cusdep.imageInto($("scan-img"), `/api/v1/review/${review.document_sha256}/evidence/${page.name}`);
  else $("scan-img").hidden = true;  // no page image yet (the machine has not reviewed it)
  drawBoxes(review);
}

// failed rules about the seal (seal.*) or the signature and its officer (signature.*, officer.*)
function failedOn(review, ...areas) {
  return review.rules.filter((r) => !r.passed && areas.includes(String(r.id).split(".")[0]));
}

function score(el, part, failed, pending) {
  // a part whose image matches can still fail its checks (a copied stamping, an officer not
  // authorised): then it is shown as failing, naming the checks
  if (pending) { el.textContent = "not reviewed yet"; el.className = "score muted"; return; }
  if (!part || !part.found) { el.textContent = "not found"; el.className = "score bad"; return; }
  const but = part.match && failed.length ? " · but " + failed.map((r) => r.id).join(", ") + " failed" : "";
  el.textContent = `${part.match ? "match" : "mismatch"} · score ${Number(part.score).toFixed(2)}${but}`;
  el.className = "score " + (part.match && !failed.length ? "ok" : "bad");
}

function sealBad(review) {
  const seal = review.result.seal;
  return !(seal && seal.match) || failedOn(review, "seal").length > 0;
}

// a registered specimen's record: this node's own or a partner's, which registry sync stores
// under the issuing country as registrar (the issuer's own record first)
// (asked by id or agency: not the whole registry, thousands of officers, for one paper)
async function specimenRecord(kind, query, wanted = () => true) {
  const records = (await cusdep.json(`/api/v1/registry?kind=${kind}&${query}`)).filter((r) => r.sha256 && wanted(r));
  return records.find((r) => r.authoritative && r.state === "confirmed")
    || records.find((r) => r.state === "confirmed") || records[0] || null;
}

// a specimen shown that is not (or no longer) a live one says so: "(revoked)", "(pending)"
function stateNote(record) {
  return record && record.state !== "confirmed" ? ` (${record.state})` : "";
}

function specimenPath(kind, record) {
  return `/api/v1/registry/${kind}/${encodeURIComponent(record.id)}/specimen?registrar=${encodeURIComponent(record.registrar)}`;
}

async function sealSpecimen(review) {
  const id = review.result.seal && review.result.seal.seal_id;
  if (id) return specimenRecord("seal", "id=" + encodeURIComponent(id));
  if (!review.template_id) return null;
  const templates = await cusdep.json("/api/v1/registry?kind=template&id=" + encodeURIComponent(review.template_id));
  const t = templates.find((x) => x.agency_id);
  if (!t) return null;
  return specimenRecord("seal", "agency=" + encodeURIComponent(t.agency_id), (r) => r.state === "confirmed");
}

async function renderSpecimens(review) {
  // every image is in place before the page says it is ready (body[data-ready])
  const ev = review.layout.evidence || {};
  const base = `/api/v1/review/${review.document_sha256}/evidence/`;
  const loading = [];
  const pending = review.state === "pending";  // nothing looked for yet
  score($("seal-score"), review.result.seal, failedOn(review, "seal"), pending);
  score($("sig-score"), review.result.signature, failedOn(review, "signature", "officer"), pending);
  const seal = review.result.seal || {};
  // why the comparison says what it says (its score alone can read 1.00 on a mismatch)
  $("seal-finding").textContent = [seal.finding, seal.uncertain ? "uncertain comparison" : "",
    seal.coverage != null ? `specimen ink seen ${Math.round(seal.coverage * 100)}%` : ""].filter(Boolean).join(" · ");
  if (ev.seal) loading.push(cusdep.imageInto($("seal-found"), base + ev.seal)); else $("seal-found").hidden = true;
  if (ev.signature) loading.push(cusdep.imageInto($("sig-found"), base + ev.signature)); else $("sig-found").hidden = true;
  const officer = review.result.signature && review.result.signature.officer_id;
  const [sealRecord, officerRecord] = await Promise.all([  // looked up at once
    sealSpecimen(review).catch(() => null),
    officer ? specimenRecord("officer", "id=" + encodeURIComponent(officer)).catch(() => null) : null,
  ]);
  if (sealRecord) {
    $("seal-specimen-cap").textContent = "registered " + sealRecord.id + stateNote(sealRecord);
    loading.push(cusdep.imageInto($("seal-specimen"), specimenPath("seal", sealRecord)));
  } else { $("seal-specimen").hidden = true; $("seal-specimen-cap").textContent = "no registered specimen"; }
  const earlier = review.stamping_of;  // seal.unique: the paper this seal was copied from
  if (earlier) {
    $("seal-earlier-fig").hidden = false;
    const link = document.createElement("a");
    link.href = `/ui/review/${earlier.sha256}`;
    link.textContent = `the same stamping on certificate ${earlier.certificate_number || "?"}`;
    $("seal-earlier-cap").replaceChildren(link);
    if (earlier.disposed) {  // its crop went with its bytes (retention): say so, ask for no 410
      const d = earlier.disposed, days = (d.policy || {}).documents_days;
      $("seal-earlier").hidden = true;
      $("seal-earlier-cap").append(cusdep.el("p", { class: "fail disposed", id: "seal-earlier-disposed",
        text: `Its seal crop is gone: that paper's bytes and evidence were disposed of on ` +
          `${cusdep.when(d.disposed_at)} under the retention policy (${days} days).` }));
    } else if (earlier.seal_evidence) {
      loading.push(cusdep.imageInto($("seal-earlier"), `/api/v1/review/${earlier.sha256}/evidence/${earlier.seal_evidence}`));
    } else { $("seal-earlier").hidden = true; }
  }
  if (officer) {
    $("sig-specimen-cap").textContent = "registered " + officer + stateNote(officerRecord);
    if (officerRecord) loading.push(cusdep.imageInto($("sig-specimen"), specimenPath("officer", officerRecord)));
    else $("sig-specimen").hidden = true;
  } else { $("sig-specimen").hidden = true; $("sig-specimen-cap").textContent = "no matching officer"; }
  await Promise.all(loading);
}

const DOUBT = 0.8;  // a reading below this confidence is marked (rule fields.confidence)

function renderCompare(review) {
  // every field read, each with its crop from the scan (what the officer checks the reading
  // against) beside the declared value and the issuer's copy; compared fields first
  const body = $("compare-rows");
  body.replaceChildren();
  const copy = review.electronic_copy, fields = review.result.fields || {};
  const ev = review.layout.evidence || {}, loading = [];
  const gone = copy && copy.revoked
    ? ` — REVOKED by ${copy.revoked.by} at ${cusdep.when(copy.revoked.at)}${copy.revoked.reason ? ": " + copy.revoked.reason : ""}`
    : copy && copy.replaced
      ? ` — REPLACED by ${copy.replaced.replaced_by} (${copy.replaced.by}, ${cusdep.when(copy.replaced.at)})` : "";
  $("copy-note").textContent = copy
    ? `issuer's electronic copy ${String(review.electronic_copy_sha256 || "").slice(0, 16)}… sent by ${copy.source || "?"}${gone}`
    : "no electronic copy from the issuer";
  $("copy-note").classList.toggle("error", Boolean(gone));
  const rows = review.comparison.map((c) => Object.assign({}, c));
  const listed = new Set(rows.map((c) => c.field));
  for (const [name, f] of Object.entries(fields)) {
    if (!listed.has(name)) rows.push({ field: name, certificate: f.value, declaration: null, match: null, copy: null, copy_match: null });
  }
  for (const c of rows) {
    const differs = c.match === false || c.copy_match === false;
    const conf = fields[c.field] && fields[c.field].confidence;
    const doubtful = conf != null && conf < DOUBT;
    const cls = differs ? "diff" : (doubtful ? "doubt" : (c.match || c.copy_match ? "same" : ""));
    const cert = cusdep.el("td", { class: "cert" }, value(c.certificate));
    if (doubtful) cert.append(cusdep.el("div", { class: "conf", text: `read with doubt (${Number(conf).toFixed(2)})` }));
    const crop = ev["field-" + c.field];
    if (crop) {
      const img = cusdep.el("img", { class: "crop", alt: `${label(c.field)} on the scan` });
      cert.prepend(img);
      loading.push(cusdep.imageInto(img, `/api/v1/review/${review.document_sha256}/evidence/${crop}`));
    }
    body.append(cusdep.el("tr", { class: cls, "data-field": c.field },
      cusdep.el("th", { text: label(c.field) }),
      cert,
      !review.declaration ? cusdep.el("td", { class: "muted", text: "no declaration" })
        : cusdep.el("td", { class: c.match === false ? "differs" : "" }, value(c.declaration)),
      copy ? cusdep.el("td", { class: c.copy_match === false ? "differs" : "" }, value(c.copy))
        : cusdep.el("td", { class: "muted", text: "no copy" })));
  }
  renderLaterChecks(review.declaration_checks || []);
  return Promise.all(loading);
}

// a partner's electronic certificate held for its own status (not issued: withdrawn, replaced,
// rejected, provisional): no scan, seal nor signature to show, but the certificate as its issuer
// sent it, its status, the replacing certificate and who sent it
function renderElectronic(review) {
  const held = review.electronic, status = held.status || {};
  $("doc-kind").textContent = "Electronic certificate";
  $("electronic").hidden = false;
  for (const id of ["scan-frame", "legend", "capture", "page", "specimens", "compare-card", "scan-keys"]) $(id).hidden = true;
  renderHeldStatus(review);
  const repl = held.replacement, note = $("held-replacement");
  note.hidden = !repl;
  if (repl) {
    const parts = ["Replaced by "];
    if (repl.sha256 && repl.review) parts.push(cusdep.el("a", { href: `/ui/review/${repl.sha256}`, id: "replacement-link", text: repl.number }));
    else parts.push(cusdep.el("bdi", { text: repl.number }));
    const as = { issuer_copy: "its issuer's copy", held: "held for its status, sent by a partner not of its issuing country", paper: "a paper reviewed here" }[repl.held_as] || "";
    parts.push(repl.sha256
      ? ` — on this node (${repl.state}, ${cusdep.short(repl.sha256)}): ${as}${repl.review ? "" : "; no review to open"}`
      : " — not on this node (no issuer's copy, held certificate or reviewed paper of that number)");
    note.replaceChildren(...parts);
  }
  const meta = [["Sent by", `${held.sender || "?"}` + (held.issuer_copy ? " (its issuer's copy)" : " (not of its issuing country)")],
    ["Format", held.format || "?"], ["Status code", status.status_code || "—"], ["Status", status.status || "—"]];
  $("held-meta").replaceChildren(...meta.flatMap(([k, v]) => [cusdep.el("dt", { text: k }), cusdep.el("dd", { text: v })]));
  const fields = held.fields;
  $("held-fields").replaceChildren(...(fields
    ? Object.entries(fields).map(([name, v]) => cusdep.el("tr", { "data-field": name },
      cusdep.el("th", { text: label(name) }), cusdep.el("td", {}, value(v))))
    : [cusdep.el("tr", {}, cusdep.el("td", { class: "muted", colspan: "2", id: "held-fields-gone", text: fieldsGone(held) }))]));
}

// the held certificate's status box: why it was held and, while it is open, how to decide it
// (to whoever may); once decided, the decision that stands instead: who, when, how it stands
// to the machine's verdict, why, and (accepted) how far its anchoring got
function renderHeldStatus(review) {
  const status = review.electronic.status || {}, d = review.decision;
  let then = state.canDecide ? "Accept it only if you know it stands (it is then anchored)"
    : "An officer decides whether it stands";
  if (d) {
    const anchor = { anchored: "; it is anchored", pending: "; it is queued for anchoring",
      batched: "; it is being anchored" }[review.anchor_state] || "";
    then = `${d.decision === "accept" ? "Accepted" : "Rejected"} by ${d.officer} at ${cusdep.when(d.at)} ` +
      `(${outcomeText(review, d)})${d.reason ? ": " + d.reason : ""}${anchor}`;
  }
  $("held-status").replaceChildren(
    cusdep.el("strong", { text: `Held for its status: ${status.text || status.status || "not issued"}` }),
    cusdep.el("span", { text: ` — the issuer's own status says certificate ${review.certificate_number || "(no number)"} ` +
      "is not issued, so the machine did not accept it. " }),
    cusdep.el("span", { id: "held-decision", class: d ? "decided-note" : "", text: then }),
    cusdep.el("span", { text: ". This is an electronic certificate from a partner, not a scan." }));
}

// an officer's decision beside the machine's verdict, in a few words: "overridden" is stored
// for any decision where the machine said review, which overrode nothing
function outcomeWords(outcome, verdict) {
  if (outcome === "confirmed") return "confirmed";
  if (verdict === "review") return "left to an officer";
  return `overriding the machine's ${verdict || "verdict"}`;
}

// the same as a clause of a sentence (the held certificate's status box)
function outcomeText(review, d) {
  const words = outcomeWords(d.outcome, review.verdict);
  return { confirmed: "the machine's verdict confirmed",
    "left to an officer": "the machine left it to an officer" }[words] || words;
}

// what a disposed-of document keeps: its anchor proof only if it was anchored (a rejected
// paper or held certificate never is)
function keptAfterDisposal(review) {
  if (review.anchor_state === "anchored") return "its record, SHA-256, anchor proof, verdicts and trace remain.";
  const kept = "its record, SHA-256, verdicts and trace remain";
  if (review.anchor_state) return `${kept}; it is queued for anchoring, not anchored yet.`;
  return `${kept}. It was never anchored: only an accepted document is.`;
}

// why a held certificate's fields are not shown (``fields_gone``): disposed of, when and under
// which policy; bytes that no longer parse; bytes missing from the store
function fieldsGone(held) {
  const d = held.disposed;
  if (d) return `No fields to show: the certificate's bytes were disposed of on ${cusdep.when(d.disposed_at)} ` +
    `under the retention policy (${(d.policy || {}).documents_days} days), and its fields with them; ` +
    "its status, sender, record, SHA-256 and trace remain.";
  if (held.fields_gone === "unreadable") return `No fields to show: its bytes no longer parse as ${held.format || "its format"} (see the node's log).`;
  return "No fields to show: its bytes are missing from this node's store (not disposed of: see the node's log).";
}

// declarations checked against this paper after it was accepted (the queue page decides them)
function renderLaterChecks(checks) {
  $("later").hidden = checks.length === 0;
  $("later-checks").replaceChildren(...checks.map((c) => {
    const decided = c.decision ? ` — ${c.decision} by ${c.decided_by}${c.decided_at ? " at " + cusdep.when(c.decided_at) : ""}` : "";
    const why = (c.reasons || []).join("; ");
    return cusdep.el("li", { "data-verdict": c.verdict || "", "data-declaration": c.declaration_sha256 },
      cusdep.el("bdi", { text: c.declaration_number || cusdep.short(c.declaration_sha256) }),
      `: ${c.state}${decided}`, why ? cusdep.el("div", { class: "why" }, cusdep.el("bdi", { text: why })) : "");
  }));
}

// a value in a cell: wrapped anywhere and kept to a few lines (scrolls), however long
function value(v) { return cusdep.el("div", { class: "val", text: shown(v) }); }

function shown(value) {
  if (value == null || value === "") return "—";
  return Array.isArray(value) ? value.join(", ") : String(value);
}

function renderDecision(review) {
  const d = review.decision, box = $("decided");
  $("verdict").textContent = review.verdict || review.state;
  $("verdict").className = "badge " + (review.verdict || "");
  $("state").textContent = review.revoked ? `revoked by ${review.revoked.by}`
    : d ? `decided: ${d.decision} by ${d.officer}` : review.state;
  const open = !d && review.state !== "pending" && review.verdict !== "accept";
  // an auditor reads: no buttons it may not use (the API would answer 403)
  $("decision").hidden = !open || !state.canDecide;
  $("read-only").hidden = !open || state.canDecide;
  $("decide-keys").hidden = $("decision").hidden;  // A and R do nothing here
  // the service needs a reason for a decision against the machine's verdict; on a review
  // verdict either decision is one
  $("reason-rule").textContent = review.verdict === "review"
    ? "(required: the machine left this to you)" : "(required to accept what the machine rejected)";
  box.hidden = !d;
  if (review.kind === "electronic" && review.electronic) renderHeldStatus(review);
  if (d) {
    const at = cusdep.when(d.at);
    box.textContent = `${d.decision} (${outcomeWords(d.outcome, review.verdict)}) by ${d.officer} at ${at}` + (d.reason ? ` — ${d.reason}` : "");
    box.className = "decided " + d.decision;
  }
  $("prev").disabled = !review.queue.previous;
  $("next").disabled = !review.queue.next;
  renderWithdrawn(review);
}

function accepted(review) {
  return review.decision ? review.decision.decision === "accept" : review.state === "accept";
}

function renderWithdrawn(review) {
  // the issuer revoked the certificate after this paper was accepted: it stands (anchored)
  // until an officer revokes it here
  const gone = review.withdrawn, own = review.revoked;
  $("withdrawn").hidden = !gone;
  if (gone) {
    const why = gone.reason ? `: ${gone.reason}` : "";
    $("withdrawn-note").textContent = gone.replaced_by
      ? `The issuer (${gone.by}) replaced certificate ${review.certificate_number || ""} by ${gone.replaced_by} at ${cusdep.when(gone.at)}: the replaced certificate is no longer accepted.`
      : `The issuer (${gone.by}) revoked certificate ${review.certificate_number || ""} at ${cusdep.when(gone.at)}${why}.`;
  }
  $("revoke-form").hidden = !(gone && !own && accepted(review) && state.canDecide);
  $("revoked-note").hidden = !own;
  if (own) $("revoked-note").textContent = `revoked by ${own.by} at ${cusdep.when(own.at)}` + (own.reason ? ` — ${own.reason}` : "");
}

async function revokePaper() {
  const review = state.review;
  if (state.revoking) return;  // one revocation at a time: a second click or Enter waits
  state.revoking = true;
  $("revoke-error").textContent = "";
  try {
    await cusdep.json(`/api/v1/documents/${review.document_sha256}/revoke`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ reason: $("revoke-reason").value.trim() }),
    });
    state.review = await cusdep.json(`/api/v1/review/${review.document_sha256}`);
    renderDecision(state.review);
    await renderTrace(review.document_sha256);
  } catch (e) { $("revoke-error").textContent = e.message; }
  finally { state.revoking = false; }
}

async function renderTrace(sha) {
  const list = $("trace");
  let t;
  try { t = await cusdep.json(`/api/v1/trace/${sha}`); } catch (e) { list.replaceChildren(cusdep.el("li", { class: "muted", text: e.message })); return; }
  list.replaceChildren();
  for (const e of t.events) {
    const extra = e.detail.decision
      ? `${e.detail.decision} (${outcomeWords(e.detail.outcome, e.detail.machine_verdict)})` + (e.detail.reason ? ` — ${e.detail.reason}` : "")
      : (e.detail.verdict || "");
    list.append(cusdep.el("li", { "data-kind": e.kind },
      cusdep.el("time", { datetime: e.at, text: cusdep.when(e.at) }), " ",
      cusdep.el("strong", { text: e.kind }), " ", cusdep.el("span", { text: `by ${e.actor} ${extra}` })));
  }
  $("proof").textContent = t.anchor
    ? `anchored in block ${t.anchor.block_number}; proof ${t.verified_on_chain ? "verified on chain" : "NOT verified"}`
    : `not anchored (${t.anchor_state || "not queued"})`;
}

async function decide(decision) {
  const review = state.review;
  // one decision at a time: a key pressed twice (or held) must not send it again
  if (!review || $("decision").hidden || state.deciding) return;
  state.deciding = true;
  $("decision-error").textContent = "";
  try {
    state.review = await cusdep.json(`/api/v1/review/${review.document_sha256}/decision`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ decision, reason: $("reason").value }),
    });
    renderDecision(state.review);
    await renderTrace(review.document_sha256);
  } catch (e) {
    $("decision-error").textContent = e.message;
    if (e.status === 409) {  // decided meanwhile (another officer): show the decision that stands
      try {
        state.review = await cusdep.json(`/api/v1/review/${review.document_sha256}`);
        renderDecision(state.review);
        await renderTrace(review.document_sha256);
      } catch (again) { /* the message above stays */ }
      return;
    }
    if (/reason/.test(e.message)) $("reason").focus();  // overriding the machine: say why
  } finally { state.deciding = false; }
}

function go(which) {
  const sha = state.review && state.review.queue[which];
  if (sha) location.href = "/ui/review/" + sha;
}

function keys(ev) {
  if (ev.key === "Escape" && ev.target.closest("textarea, input, select")) { ev.target.blur(); return; }
  if (ev.target.closest("textarea, input, select") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const k = ev.key.toLowerCase();
  if (k === "a") decide("accept");
  else if (k === "r") decide("reject");
  else if (k === "n" || k === "j") go("next");
  else if (k === "p" || k === "k") go("previous");
  else if (k === "f") { state.showFields = !state.showFields; drawBoxes(state.review); }
  else if (/^[1-9]$/.test(k) && Number(k) <= (state.review.layout.pages || []).length) turnTo(Number(k) - 1);
  else return;
  ev.preventDefault();
}

function readPage(review) {
  // open on the page the certificate is on (its seal's, else its first field's), not on a
  // cover page the machine found nothing on
  const seal = review.layout.seal, fields = Object.values(review.layout.fields || {});
  if (seal && Number.isInteger(seal.page)) return seal.page;
  const pages = fields.map((f) => f.page).filter(Number.isInteger);
  return pages.length ? Math.min(...pages) : 0;
}

function turnTo(page) {
  state.page = page;
  $("page").value = String(page);
  showPage(state.review);
}

document.addEventListener("DOMContentLoaded", async () => {
  const sha = $("review").dataset.sha256;
  if (!cusdep.token()) { location.href = "/ui/?next=" + encodeURIComponent(location.pathname); return; }
  let review;
  const who = cusdep.json("/api/v1/me").catch(() => ({}));  // asked beside the review
  try { review = await cusdep.json(`/api/v1/review/${sha}`); }
  catch (e) { $("findings").replaceChildren(cusdep.el("li", { class: "fail error", text: e.message })); return; }
  if (review.disposed) {  // its bytes, page images and evidence went: say so, ask for none (410s)
    const d = review.disposed, days = (d.policy || {}).documents_days;
    const what = review.kind === "electronic" ? "the certificate as its issuer sent it is gone"
      : "its page images and evidence are gone";
    // a banner across the screen, above both panels (not in the scan's grid cell)
    $("review").prepend(cusdep.el("p", { class: "notice disposed", id: "disposed-notice", role: "status",
      text: `The bytes of this document were disposed of on ${cusdep.when(d.disposed_at)} under the ` +
        `retention policy (${days} days): ${what}; ${keptAfterDisposal(review)}` }));
    review.layout = Object.assign({}, review.layout, { pages: [], evidence: {} });
    $("scan-frame").hidden = $("legend").hidden = true;  // no page to draw boxes on
    if (review.kind !== "electronic") $("scan-frame").after(cusdep.el("p", { class: "muted", id: "scan-gone",
      text: "No page to show: its page images, and the seal and signature found on them, went with its bytes." }));
  }
  state.review = review;
  const me = await who;
  state.canDecide = me.role === "officer" || me.role === "admin";
  const pages = review.layout.pages || [];
  state.page = readPage(review);
  if (pages.length > 1) {
    const sel = $("page");
    pages.forEach((p, i) => sel.append(cusdep.el("option", { value: String(i), text: `page ${i + 1}` })));
    sel.value = String(state.page);
    sel.hidden = false;
    sel.addEventListener("change", () => turnTo(Number(sel.value)));
  }
  renderFindings(review);
  const held = review.kind === "electronic";  // no scan: nothing to draw, crop nor compare
  if (held) renderElectronic(review);
  const compared = held ? null : renderCompare(review);
  renderDecision(review);
  $("accept").addEventListener("click", () => decide("accept"));
  $("reject").addEventListener("click", () => decide("reject"));
  // the button or Enter in the reason: revoked here, not submitted as a page load
  $("revoke-form").addEventListener("submit", (ev) => { ev.preventDefault(); revokePaper(); });
  $("prev").addEventListener("click", () => go("previous"));
  $("next").addEventListener("click", () => go("next"));
  document.addEventListener("keydown", keys);
  await Promise.all(held ? [renderTrace(sha)] : [showPage(review), renderSpecimens(review), renderTrace(sha), compared]);
  document.body.dataset.ready = "1";
  if (review.state === "pending") awaitReview(sha);
});

// a paper the machine has not reviewed yet: asked again every few seconds, shown when it is
async function awaitReview(sha) {
  for (let wait = 2000; ; wait = Math.min(wait * 1.5, 15000)) {
    await new Promise((done) => setTimeout(done, wait));
    try {
      const now = await cusdep.json(`/api/v1/review/${sha}`);
      if (now.state !== "pending") { location.reload(); return; }
    } catch (e) { return; }  // signed out or gone: the page says so on the next load
  }
}
