// The public pages (docs/web.md): live turnout, results, the board explorer, the latest
// checkpoint, "verify it yourself" and the in-browser audit of an audited ballot. No account;
// everything comes from the public API and is re-checked where the browser can.
import { initLanguage, onLanguage, t, pick, formatTime, formatNumber } from "./i18n.mjs";
import { api, ApiError, base64ToBytes } from "./api.mjs";
import { Election, parseAuditPayload, hex } from "./protocol.mjs";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const page = document.body.dataset.page;
let manifest = null;
let last = null;  // last data rendered, re-rendered on a language change

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children.map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return e;
}
function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  e.append(...children.map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return e;
}
const pct = (a, b) => (b > 0 ? ((100 * a) / b).toFixed(1) + " %" : "—");
const regionName = (id) => pick(manifest?.regions.find((r) => r.id === id)?.name) || id;
function table(head, rows, numeric = []) {
  const thead = head === null ? el("thead") : el("thead", {}, el("tr", {}, ...head.map((h, i) => el("th", { scope: "col", class: numeric.includes(i) ? "num" : "" }, h))));
  const tbody = el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c, i) =>
    i === 0 ? el("th", { scope: "row" }, c) : el("td", { class: numeric.includes(i) ? "num" : "" }, c)))));
  return [thead, tbody];
}
function failure(box, e) {
  box.replaceChildren(el("p", { class: e instanceof ApiError && e.status === 404 ? "" : "alert" },
    e instanceof ApiError && e.status === 404 ? t("notPublished") : t("errServer", { m: e.message })));
}

// --- turnout ---------------------------------------------------------------------------------

// A tile cartogram of Kazakhstan's 20 regions, roughly where they lie (column, row).
const TILES = {
  "west-kazakhstan": [0, 0], kostanay: [2, 0], "north-kazakhstan": [3, 0], pavlodar: [4, 0], "east-kazakhstan": [5, 0],
  atyrau: [0, 1], aktobe: [1, 1], akmola: [3, 1], astana: [4, 1], abai: [5, 1],
  mangystau: [0, 2], kyzylorda: [1, 2], ulytau: [2, 2], karaganda: [3, 2], zhetysu: [5, 2],
  shymkent: [1, 3], turkistan: [2, 3], zhambyl: [3, 3], "almaty-region": [4, 3], almaty: [5, 3],
};
// Five shades, each with a text colour of contrast ≥ 7:1 on it; the figure is always written.
const SHADES = [["#e8eef8", "#111111"], ["#c2d3ee", "#111111"], ["#8fb0e0", "#111111"], ["#24508f", "#ffffff"], ["#0a3575", "#ffffff"]];

function cartogram(regions) {
  const w = 110, h = 70, cols = 6;
  let extra = 0;
  const placed = regions.map((r) => {
    const pos = TILES[r.id] ?? [extra % cols, 4 + Math.floor(extra++ / cols)];
    return { r, pos };
  });
  const names = labels(regions.map((r) => regionName(r.id)));
  const rows = 1 + Math.max(...placed.map((p) => p.pos[1]));
  const root = svg("svg", { viewBox: `0 0 ${cols * w} ${rows * h + 30}`, role: "img", "aria-labelledby": "map-title" },
    svg("title", { id: "map-title" }, t("map") + ": " + t("byRegion")));
  placed.forEach(({ r, pos }, i) => {
    const share = r.eligible > 0 ? r.voted / r.eligible : 0;
    const [fill, ink] = SHADES[Math.min(4, Math.floor(share * 5))];
    const lines = names[i];
    const g = svg("g", { transform: `translate(${pos[0] * w},${pos[1] * h})` },
      svg("title", {}, `${regionName(r.id)}: ${pct(r.voted, r.eligible)}`),
      svg("rect", { x: 2, y: 2, width: w - 4, height: h - 4, rx: 6, fill, stroke: "#111111" }),
      ...lines.map((l, k) => svg("text", { x: w / 2, y: (lines.length === 1 ? 30 : 22) + 13 * k, "text-anchor": "middle",
        class: "tile-label", fill: ink }, l)),
      svg("text", { x: w / 2, y: 56, "text-anchor": "middle", "font-weight": "bold", "font-size": 14, fill: ink },
        pct(r.voted, r.eligible)));
    root.append(g);
  });
  // The legend: what each shade means (the figure is also written in every tile).
  SHADES.forEach(([fill, ink], k) => {
    root.append(svg("rect", { x: 4 + k * 110, y: rows * h + 6, width: 20, height: 18, fill, stroke: "#111111" }),
      svg("text", { x: 30 + k * 110, y: rows * h + 20, "font-size": 12 }, `${k * 20}–${(k + 1) * 20} %`));
  });
  return root;
}

/** Tile labels: a region's name without "Region"/"облысы"/"область" where that stays unique,
 *  on at most two lines. */
function labels(names) {
  const shortened = names.map((n) => n.replace(/ (облысы|область|Region)$/u, "").replace(/^город /u, ""));
  return names.map((n, i) => {
    const s = shortened.filter((x) => x === shortened[i]).length > 1 ? n : shortened[i];
    const words = s.split(" ");
    const lines = words.length <= 1 ? [s] : [words.slice(0, Math.ceil(words.length / 2)).join(" "),
      words.slice(Math.ceil(words.length / 2)).join(" ")];
    return lines.map((l) => (l.length > 16 ? l.slice(0, 15) + "…" : l));
  });
}

function hourChart(regions) {
  const hours = new Array(24).fill(0);
  for (const r of regions) for (const [h, n] of Object.entries(r.ballots_by_hour)) hours[Number(h)] += n;
  const max = Math.max(1, ...hours);
  const W = 720, H = 260, left = 50, bottom = 30, bw = (W - left - 10) / 24;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "hours-title hours-desc" },
    svg("title", { id: "hours-title" }, t("byHour")),
    svg("desc", { id: "hours-desc" }, hours.map((n, h) => `${String(h).padStart(2, "0")}: ${n}`).filter((_, h) => hours[h]).join("; ") || "0"));
  root.append(svg("line", { x1: left, y1: H - bottom, x2: W - 10, y2: H - bottom, class: "axis" }));
  root.append(svg("line", { x1: left, y1: 10, x2: left, y2: H - bottom, class: "axis" }));
  root.append(svg("text", { x: left - 6, y: 18, "text-anchor": "end", "font-size": 12 }, formatNumber(max)));
  root.append(svg("text", { x: left - 6, y: H - bottom, "text-anchor": "end", "font-size": 12 }, "0"));
  hours.forEach((n, h) => {
    const bh = ((H - bottom - 10) * n) / max;
    root.append(svg("rect", { class: "bar", x: left + h * bw + 2, y: H - bottom - bh, width: bw - 4, height: bh },
      svg("title", {}, `${String(h).padStart(2, "0")}:00 — ${n}`)));
    if (h % 3 === 0) {
      root.append(svg("text", { x: left + h * bw + bw / 2, y: H - 10, "text-anchor": "middle", "font-size": 12 },
        String(h).padStart(2, "0")));
    }
  });
  return root;
}

function renderTurnout(d) {
  // A live region: changed only when the figures change, so a screen reader is not repeated.
  const summary = `${t("nationally")}: ${formatNumber(d.voted)} / ${formatNumber(d.eligible)} (${pct(d.voted, d.eligible)})`;
  if ($("turnout-summary").textContent !== summary) $("turnout-summary").textContent = summary;
  $("turnout-map").replaceChildren(cartogram(d.regions));
  $("turnout-hours").replaceChildren(hourChart(d.regions));
  $("turnout-table").replaceChildren(...table([t("region"), t("eligible"), t("voted"), t("share")],
    d.regions.map((r) => [regionName(r.id), formatNumber(r.eligible), formatNumber(r.voted), pct(r.voted, r.eligible)]), [1, 2, 3]));
  $("turnout-updated").textContent = t("updated", { t: formatTime(Date.now()) });
}

async function turnout() {
  try {
    last = await api("/turnout");
    renderTurnout(last);
  } catch (e) {
    failure($("turnout-table"), e);
  }
}

// --- results ---------------------------------------------------------------------------------

function marker(final) {
  return el("p", {}, el("span", { class: "marker " + (final ? "final" : "provisional") }, final ? t("final") : t("provisional")));
}

function renderOfficial(o) {
  const box = $("official");
  if (o instanceof Error) { failure(box, o); return; }
  const figures = [
    [t("eligible"), formatNumber(o.eligible)], [t("participants"), `${formatNumber(o.participants)} (${pct(o.participants, o.eligible)})`],
    [t("yes"), `${formatNumber(o.yes)} (${pct(o.yes, o.participants)})`], [t("no"), `${formatNumber(o.no)} (${pct(o.no, o.participants)})`],
  ];
  const t1 = el("table", {}, ...table(null, figures, [1]));
  const regions = (o.regions ?? []).map((r) => [regionName(r.id ?? r.region), formatNumber(r.participants ?? 0),
    formatNumber(r.yes ?? 0), formatNumber(r.no ?? 0), majorityText(r.majority ?? r.yes_majority)]);
  box.replaceChildren(marker(!o.provisional), el("p", {}, o.status_text ?? ""),
    el("p", { class: "choice" }, (o.valid ? t("valid") : t("invalid")) + " · " + (o.adopted ? t("adopted") : t("rejected"))),
    el("p", {}, t("regionsMajority", { m: o.regions_with_yes_majority, r: o.regions_total })),
    t1, el("div", { class: "table-wrap" }, el("table", {}, ...table([t("region"), t("participants"), t("yes"), t("no"), t("majority")], regions, [1, 2, 3]))));
}

function majorityText(m) {
  const v = Array.isArray(m) ? m[0] : m;
  if (v === true || v === "majority") return t("majority");
  if (v === "undetermined") return t("undetermined");
  return t("none");
}

function renderEvote(r) {
  const box = $("evote");
  if (r instanceof Error) { failure(box, r); return; }
  const q = r.questions[0];
  const [yes, no] = q.totals;
  const rows = r.regions.map((g) => [regionName(g.id), formatNumber(g.eligible), formatNumber(g.participants),
    formatNumber(g.totals[0][0]), formatNumber(g.totals[0][1]), majorityText(g.majority)]);
  box.replaceChildren(marker(true),
    el("p", { class: "choice" }, (q.valid ? t("valid") : t("invalid")) + " · " + (q.adopted ? t("adopted") : t("rejected"))),
    el("p", {}, `${t("participants")}: ${formatNumber(q.participants)} / ${formatNumber(q.eligible)} (${pct(q.participants, q.eligible)}) · `
      + `${t("yes")}: ${formatNumber(yes)} (${pct(yes, yes + no)}) · ${t("no")}: ${formatNumber(no)} (${pct(no, yes + no)})`),
    el("p", {}, t("regionsMajority", { m: q.regions_with_majority, r: q.regions_total })),
    el("div", { class: "table-wrap" }, el("table", {}, ...table(
      [t("region"), t("eligible"), t("participants"), t("yes"), t("no"), t("majority")], rows, [1, 2, 3, 4]))));
}

async function results() {
  const [o, r] = await Promise.all([api("/official-results").catch((e) => e), api("/results").catch((e) => e)]);
  last = { o, r };
  renderOfficial(o);
  renderEvote(r);
}

// --- board -----------------------------------------------------------------------------------

let from = 0;
async function entries() {
  try {
    const p = await api(`/board?from=${from}&limit=20`);
    $("entries").replaceChildren(...table([t("index"), t("receiptTime"), t("kind"), t("hash")], p.entries.map((e) =>
      [String(e.index), formatTime(e.time), e.kind_name, e.hash.slice(0, 16) + "…"])));
    $("entries-next").disabled = p.entries.length < 20;
    $("entries-prev").disabled = from === 0;
    $("entries-from").value = String(from);
  } catch (e) {
    failure($("entries"), e);
  }
}

async function lookup(code) {
  const box = $("lookup-result");
  const c = code.trim();
  if (!c) return;
  try {
    const r = await api("/ballots/" + encodeURIComponent(c));
    const status = { counted: t("counted"), superseded: t("superseded"), overridden_by_paper: t("overridden") }[r.status] ?? r.status;
    box.replaceChildren(el("p", { class: "notice" }, `${status}${r.final ? "" : " (" + t("notFinalYet") + ")"}`),
      el("p", {}, `${t("receiptEntry")}: ${r.entry} · ${t("region")}: ${regionName(r.region)}`),
      el("p", { class: "mono" }, r.tracking_digest));
  } catch (e) {
    box.replaceChildren(el("p", { class: "alert" }, e instanceof ApiError && e.status === 404 ? t("notFound") : t("errServer", { m: e.message })));
  }
}

async function checkpoint() {
  const box = $("checkpoint");
  try {
    const c = await api("/checkpoint");
    box.replaceChildren(el("dl", {}, el("dt", {}, t("upTo")), el("dd", {}, String(c.up_to)),
      el("dt", {}, t("hash")), el("dd", { class: "mono" }, c.hash),
      el("dt", {}, "board key"), el("dd", { class: "mono" }, c.board_key),
      el("dt", {}, "signature"), el("dd", { class: "mono" }, c.signature)));
  } catch (e) {
    failure(box, e);
  }
}

// --- audit: re-create an audited ballot in the browser (protocol.md §6.4) --------------------

async function auditEntry(n) {
  const box = $("audit-result");
  box.replaceChildren(el("p", { class: "progress" }, t("loading")));
  try {
    const [status, page] = await Promise.all([api("/status"), api(`/board?from=${n}&limit=1`)]);
    const e = page.entries[0];
    if (!e || e.index !== n || e.kind !== 24) { box.replaceChildren(el("p", { class: "alert" }, t("notAudited"))); return; }
    const a = parseAuditPayload(base64ToBytes(e.payload));
    const shape = manifest.questions.map((q) => [q.options.length, q.min_selections, q.max_selections]);
    const election = new Election({ electionHash: status.election_hash, publicKey: status.public_key, shape });
    const ok = await election.audit(a.ballot, a.seed, a.selections);
    const choice = manifest.questions.map((q, i) => q.options.filter((_, j) => a.selections[i][j]).map((o) => pick(o.text)).join(", ")).join("; ");
    box.replaceChildren(el("p", { class: ok ? "notice" : "alert" }, ok ? t("auditOk") : t("auditBad")),
      el("p", {}, `${t("auditChoices")}: `, el("strong", { class: "choice" }, choice)),
      el("p", {}, `${t("auditSeed")}: `, el("span", { class: "mono" }, hex(a.seed))));
  } catch (e) {
    box.replaceChildren(el("p", { class: "alert" }, t("errServer", { m: e.message })));
  }
}

// --- start -----------------------------------------------------------------------------------

async function start() {
  initLanguage();
  try { manifest = await api("/manifest"); } catch { manifest = null; }
  if (page === "turnout") {
    onLanguage(() => last && renderTurnout(last));
    await turnout();
    setInterval(turnout, 15000);  // live, without reloading the page
  } else if (page === "results") {
    onLanguage(() => last && (renderOfficial(last.o), renderEvote(last.r)));
    await results();
    setInterval(results, 60000);
  } else if (page === "board") {
    $("lookup-form").addEventListener("submit", (e) => { e.preventDefault(); lookup($("lookup-code").value); });
    $("entries-form").addEventListener("submit", (e) => { e.preventDefault(); from = Math.max(0, Number($("entries-from").value) || 0); entries(); });
    $("entries-next").addEventListener("click", () => { from += 20; entries(); });
    $("entries-prev").addEventListener("click", () => { from = Math.max(0, from - 20); entries(); });
    onLanguage(() => { entries(); checkpoint(); });
    const m = location.hash.match(/ballot=([0-9a-fA-F-]+)/);
    if (m) { $("lookup-code").value = m[1]; lookup(m[1]); }
  } else if (page === "verify") {
    const o = location.origin;
    $("verify-commands").textContent = [
      `mkdir record && curl -o record/board.bin ${o}/api/v1/record   # the whole record`,
      `dauys verify record/ --json                          # after publication: every rule, proof and the tally`,
      `dauys verify record/ --partial                       # while voting runs`,
      `dauys pin --server ${o} --out cp.json                # keep the latest signed checkpoint, later:`,
      `dauys verify record/ --checkpoint cp.json --board-key HEX`,
      `dauys monitor --server ${o} --out copy/              # follow the board live, alarm on a fork`,
      `dauys receipt check dauys-receipt-XXXX-XXXX-XXXX-XXXX.json --server ${o}   # your own ballot`,
      `dauys audit-ballot --entry N --server ${o}           # an audited ballot`,
    ].join("\n");
    onLanguage(checkpoint);
  } else if (page === "audit") {
    $("audit-form").addEventListener("submit", (e) => { e.preventDefault(); auditEntry(Number($("audit-entry").value)); });
    const m = location.hash.match(/entry=(\d+)/);
    if (m) { $("audit-entry").value = m[1]; auditEntry(Number(m[1])); }
  }
}

start();
