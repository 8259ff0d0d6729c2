// The voter's booth (docs/web.md): sign in, choose, review, encrypt on this device, cast or
// audit (Benaloh), receipt. The credential code and the ballot seed never leave the device
// except when the voter asks to audit (then the seed is published and that ballot is spoiled).
import { initLanguage, onLanguage, t, pick, formatTime } from "./i18n.mjs";
import { api, ApiError } from "./api.mjs";
import { Election, credentialFromCode, auditPayload, hex, normaliseCode, checkReceipt } from "./protocol.mjs";
import { encodePoint } from "./p256.mjs";

const $ = (id) => document.getElementById(id);
const state = {
  status: null, manifest: null, election: null, session: null, selections: null, credential: null,
  ballot: null, receipt: null, audited: null, screen: null, retry: null, warnTimer: null, expiryTimer: null,
};
const SCREENS = ["closed", "signin", "question", "review", "credential", "ballot", "audited", "receipt"];

function show(name, { focus = true } = {}) {
  state.screen = name;
  for (const s of SCREENS) $("screen-" + s).hidden = s !== name;
  $("status").textContent = "";
  hideError();
  render();
  if (focus) $("screen-" + name).querySelector("h1").focus();
}

function showError(msg, box = "error") {
  const el = $(box);
  el.textContent = msg;
  el.hidden = false;
}
function hideError() {
  for (const id of ["error", "signin-error", "question-error", "credential-error"]) $(id).hidden = true;
  $("retry-box").hidden = true;
}

/** An API error in the voter's words; network failures offer a retry that repeats the action. */
function explain(e, retry, box = "error") {
  if (!(e instanceof ApiError)) { showError(t("errServer", { m: e.message }), box); return; }
  if (e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504) {
    showError(t("errNetwork"), box);
    state.retry = retry;
    $("retry-box").hidden = false;
    return;
  }
  const msg = {
    bad_credentials: t("errWrongCode"), bad_iin: t("errBadIIN"),
    locked: t("errLocked", { m: Math.max(1, Math.ceil(e.retryAfter / 60)) }),
    rate_limited: t("errLocked", { m: Math.max(1, Math.ceil(e.retryAfter / 60)) }),
    slowed_down: t("errSlowed", { s: e.retryAfter }),
    no_credential: t("errNoCredential"), wrong_credential: t("errCredentialWrong"),
    voting_not_open: t("errNotOpen"), outside_schedule: t("errNotOpen"), audited_ballot: t("errAudited"),
    out_of_sequence: t("errSequence"),
  }[e.code];
  if (e.status === 401 && ["no_session", "bad_session", "not_extended"].includes(e.code)) {
    sessionEnded();
    return;
  }
  showError(msg ?? t("errServer", { m: e.message }), box);
}

function sessionEnded() {
  clearTimers();
  state.session = null;
  state.credential = null;
  show("signin");
  showError(t("errSession"), "signin-error");
}

// --- the screens' contents, re-rendered on a language change ---------------------------------

function render() {
  const m = state.manifest;
  if (!m) return;
  if (state.screen === "closed") renderClosed();
  if (state.screen === "question") renderQuestions();
  if (state.screen === "review") {
    const box = $("review-choices");
    box.replaceChildren(...m.questions.map((q, i) => {
      const p = document.createElement("p");
      const label = document.createElement("span");
      label.textContent = pick(q.text) + " — ";
      const c = document.createElement("strong");
      c.className = "choice";
      c.textContent = choiceText(i);
      p.append(label, c);
      return p;
    }));
  }
  if (state.screen === "audited" && state.audited) {
    $("audited-choices").textContent = state.audited.selections.map((_, i) => choiceText(i, state.audited.selections)).join("; ");
  }
  if (state.screen === "receipt" && state.receipt) $("receipt-time").textContent = formatTime(state.receipt.time);
  if (!$("session-warning").hidden) warnSession();
}

function choiceText(i, selections = state.selections) {
  const q = state.manifest.questions[i];
  const chosen = q.options.filter((_, j) => selections[i][j] === 1).map((o) => pick(o.text));
  return chosen.join(", ");
}

function renderClosed() {
  const phase = state.status.phase;
  const before = ["setup", "key-ceremony", "credentials-published"].includes(phase);
  $("closed-text").textContent = before ? t("notOpen") : t("closed");
  const s = state.manifest.schedule;
  const opens = s?.voting_opens ?? s?.votingOpens, closes = s?.voting_closes ?? s?.votingCloses;
  $("closed-window").textContent = opens && closes
    ? t("opensAt", { t: formatTime(Date.parse(opens)) }) + " · " + t("closesAt", { t: formatTime(Date.parse(closes)) })
    : "";
}

function renderQuestions() {
  const m = state.manifest;
  const box = $("questions");
  const checked = state.selections;
  box.replaceChildren(...m.questions.map((q, i) => {
    const fs = document.createElement("fieldset");
    const lg = document.createElement("legend");
    lg.textContent = pick(q.text);
    fs.append(lg);
    const hint = document.createElement("p");
    hint.textContent = t("chooseOne");
    fs.append(hint);
    q.options.forEach((o, j) => {
      const label = document.createElement("label");
      label.className = "option";
      const input = document.createElement("input");
      input.type = q.max_selections === 1 || q.maxSelections === 1 ? "radio" : "checkbox";
      input.name = "q" + i;
      input.value = String(j);
      input.id = `q${i}-o${j}`;
      input.checked = checked?.[i]?.[j] === 1;
      const span = document.createElement("span");
      span.textContent = pick(o.text);
      label.append(input, span);
      fs.append(label);
    });
    return fs;
  }));
}

// --- the flow ----------------------------------------------------------------------------------

async function start() {
  initLanguage();
  onLanguage(render);
  $("status").textContent = t("loading");
  try {
    const [status, manifest] = await Promise.all([api("/status"), api("/manifest")]);
    state.status = status;
    state.manifest = manifest;
  } catch (e) {
    explain(e, start);
    return;
  }
  if (state.status.phase !== "voting-open") { show("closed", { focus: false }); return; }
  const shape = state.manifest.questions.map((q) => [q.options.length, q.min_selections ?? q.minSelections,
    q.max_selections ?? q.maxSelections]);
  state.election = new Election({ electionHash: state.status.election_hash, publicKey: state.status.public_key, shape });
  show("signin", { focus: false });
}

async function signIn(ev) {
  ev.preventDefault();
  hideError();
  const iin = $("iin").value.replace(/\s/g, ""), code = $("signin-code").value.trim();
  if (!/^\d{12}$/.test(iin)) { showError(t("errBadIIN"), "signin-error"); $("iin").focus(); return; }
  const btn = $("signin-submit");
  btn.disabled = true;
  try {
    const s = await api("/sessions", { method: "POST", body: { iin, code } });
    // Another voter signing in on this device after a session ended starts afresh: nothing of
    // the previous voter's choice or ballot is shown or cast.
    if (state.owner !== undefined && state.owner !== s.credential) {
      state.selections = state.ballot = state.audited = null;
    }
    state.owner = s.credential;
    state.session = { token: s.token, region: s.region, credential: s.credential, expiresAt: Date.now() + s.expires_in * 1000 };
    $("signin-code").value = "";
    scheduleSessionWarning();
    if (!s.credential) { show("signin"); showError(t("errNoCredential"), "signin-error"); return; }
    // After a session ended mid-way, go back to where the voter was, choice kept.
    show(state.ballot ? "ballot" : state.selections ? "review" : "question");
  } catch (e) {
    explain(e, () => signIn(ev), "signin-error");
  } finally {
    btn.disabled = false;
  }
}

function readChoice(ev) {
  ev.preventDefault();
  const qs = state.manifest.questions;
  const selections = qs.map((q, i) => q.options.map((_, j) => ($(`q${i}-o${j}`).checked ? 1 : 0)));
  const ok = qs.every((q, i) => {
    const n = selections[i].reduce((a, b) => a + b, 0);
    return n >= (q.min_selections ?? q.minSelections) && n <= (q.max_selections ?? q.maxSelections);
  });
  if (!ok) { showError(t("errChoose"), "question-error"); $("q0-o0").focus(); return; }
  if (JSON.stringify(selections) !== JSON.stringify(state.selections)) state.ballot = null;
  state.selections = selections;
  show("review");
}

async function encrypt(ev) {
  ev?.preventDefault();
  hideError();
  let credential;
  try {
    normaliseCode($("credential-code").value);
  } catch (e) {
    const n = $("credential-code").value.replace(/[-\s]/g, "").length;
    showError(e.code === "bad_char" ? t("errCredentialChars", { c: e.message.match(/"(.*)"/)?.[1] ?? "?" })
      : t("errCredentialLength", { n }), "credential-error");
    $("credential-code").focus();
    return;
  }
  const btn = $("encrypt");
  btn.disabled = true;
  $("status").textContent = t("encrypting");
  try {
    credential = await credentialFromCode($("credential-code").value, state.status.base_hash);
    if (hex(encodePoint(credential.publicKey)) !== state.session.credential) {
      $("status").textContent = "";
      showError(t("errCredentialWrong"), "credential-error");
      $("credential-code").focus();
      return;
    }
    state.credential = credential;
    await freshBallot();
  } catch (e) {
    $("status").textContent = "";
    // Asking for the sequence number needs the server: a lost network offers "Retry", an ended
    // session asks to sign in again (the choice is kept).
    explain(e, encrypt, "credential-error");
  } finally {
    btn.disabled = false;
  }
}

/** A new encryption with a new seed: after review, and after every audit. */
async function freshBallot() {
  $("status").textContent = t("encrypting");
  await new Promise((r) => setTimeout(r, 0));  // let the status be announced
  // The board takes a credential's ballots in sequence (record.md §5.4): ask for the next number.
  const { next_sequence: sequence } = await api("/sessions/sequence", { token: state.session?.token });
  state.ballot = await state.election.encrypt(state.selections, state.credential, { sequence });
  $("ballot-tracking").textContent = state.ballot.tracking.short;
  show("ballot");
}

async function cast() {
  const b = state.ballot;
  if (!b) return;
  hideError();
  $("cast").disabled = $("audit").disabled = true;
  $("status").textContent = t("casting");
  try {
    // The same bytes on every retry: the board answers an identical ballot with its receipt.
    const receipt = await api("/ballots", { method: "POST", body: { ballot: hex(b.bytes) }, token: state.session?.token });
    state.receipt = receipt;
    state.ballot = null;
    state.credential = null;
    $("credential-code").value = "";
    // The receipt is checked here, before the voter relies on it: the board's signature, and
    // that it is for the very ballot this device made (record.md §9.2).
    state.receiptProblems = await checkReceipt(receipt, {
      baseHash: state.status.base_hash, tracking: b.tracking, boardKey: await boardKey(),
    });
    showReceipt(receipt);
  } catch (e) {
    $("status").textContent = "";
    // Another ballot of this credential was cast meanwhile (another device): this one can never
    // be taken; encrypt afresh with the next number and let the voter check it again.
    if (e instanceof ApiError && e.code === "out_of_sequence" && state.credential) {
      await freshBallot().catch(() => {});
    }
    explain(e, cast);
  } finally {
    $("cast").disabled = $("audit").disabled = false;
  }
}

/** The board's key as its latest signed checkpoint names it (null before the first one). */
async function boardKey() {
  try { return (await api("/checkpoint")).board_key; } catch { return null; }
}

function showReceipt(r) {
  const problems = state.receiptProblems ?? [];
  const check = $("receipt-check");
  check.className = problems.length ? "alert" : "notice";
  check.dataset.t = problems.length ? "receiptBad" : "receiptOk";
  check.textContent = t(check.dataset.t);
  check.title = problems.join(", ");
  $("receipt-tracking").textContent = r.tracking_code;
  $("receipt-entry").textContent = String(r.entry);
  const json = JSON.stringify(r, null, 2);
  $("receipt-json").textContent = json;
  const save = $("receipt-save");
  if (save.href.startsWith("blob:")) URL.revokeObjectURL(save.href);
  save.href = URL.createObjectURL(new Blob([json + "\n"], { type: "application/json" }));
  save.download = `dauys-receipt-${r.tracking_code}.json`;
  $("receipt-lookup").href = "/board#ballot=" + r.tracking_digest;
  show("receipt");
}

async function audit() {
  const b = state.ballot;
  if (!b) return;
  hideError();
  $("cast").disabled = $("audit").disabled = true;
  try {
    const payload = auditPayload(b.bytes, b.seed, b.selections);
    const r = await api("/audited-ballots", { method: "POST", body: { payload: hex(payload) }, token: state.session?.token });
    state.audited = { ...b, entry: r.entry };
    state.ballot = null;  // spoiled: never cast
    $("audited-tracking").textContent = b.tracking.short;
    $("audited-entry").textContent = String(r.entry);
    $("audited-seed").textContent = hex(b.seed);
    $("audited-command").textContent =
      `dauys audit-ballot --entry ${r.entry} --server ${location.origin}`;
    $("audited-link").href = "/audit#entry=" + r.entry;
    show("audited");
  } catch (e) {
    if (e instanceof ApiError && e.code === "out_of_sequence" && state.credential) {
      await freshBallot().catch(() => {});
    }
    explain(e, audit);
  } finally {
    $("cast").disabled = $("audit").disabled = false;
  }
}

// --- the session's time limit: warn two minutes ahead, let the voter extend (WCAG 2.2.1) -----

function clearTimers() {
  clearTimeout(state.warnTimer);
  clearTimeout(state.expiryTimer);
  $("session-warning").hidden = true;
}

function scheduleSessionWarning() {
  clearTimers();
  const left = state.session.expiresAt - Date.now();
  state.warnTimer = setTimeout(warnSession, Math.max(0, left - 120000));
  state.expiryTimer = setTimeout(sessionEnded, Math.max(0, left));
}

function warnSession() {
  if (!state.session) return;
  const m = Math.max(1, Math.ceil((state.session.expiresAt - Date.now()) / 60000));
  $("session-warning-text").textContent = t("sessionWarn", { m });
  $("session-warning").hidden = false;
}

async function extendSession() {
  try {
    const r = await api("/sessions/extend", { method: "POST", body: {}, token: state.session?.token });
    state.session.expiresAt = Date.now() + r.expires_in * 1000;
    scheduleSessionWarning();
    $("status").textContent = t("extended");
  } catch (e) {
    explain(e, extendSession);
  }
}

function bind() {
  $("signin-form").addEventListener("submit", signIn);
  $("question-form").addEventListener("submit", readChoice);
  $("review-change").addEventListener("click", () => show("question"));
  $("review-continue").addEventListener("click", () => show("credential"));
  $("credential-back").addEventListener("click", () => show("review"));
  $("credential-form").addEventListener("submit", encrypt);
  $("cast").addEventListener("click", cast);
  $("audit").addEventListener("click", audit);
  $("audit-again").addEventListener("click", () =>
    (state.credential ? freshBallot().catch((e) => explain(e, freshBallot)) : show("credential")));
  $("receipt-print").addEventListener("click", () => window.print());
  $("vote-again").addEventListener("click", () => { state.selections = null; show(state.session ? "question" : "signin"); });
  $("session-extend").addEventListener("click", extendSession);
  $("retry").addEventListener("click", () => { const f = state.retry; hideError(); f?.(); });
}

bind();
start();
