// The ballot of protocol.md §3–§6 on the voter's device: transcript hashing, exponential
// ElGamal, CDS range proofs, the credential signature, tracking codes and the Benaloh audit.
// Byte for byte what Sources/DauysCrypto computes (checked against its known-answer vectors).
// Hashing and randomness come from WebCrypto; group arithmetic from p256.mjs.
import {
  N, G, FixedBase, base, multiply, pointAdd, negate, equal, encodePoint, decodePoint, encodeScalar,
  decodeScalar, bigFromBytes, modn,
} from "./p256.mjs";

const te = new TextEncoder();
const GROUP = "P-256";

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
export function unhex(s, what = "value") {
  if (typeof s !== "string" || s.length % 2 || /[^0-9a-fA-F]/.test(s)) throw new Error(`${what}: not hexadecimal`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}

/** Byte writer with the encodings of protocol.md §1. */
export class Writer {
  constructor() { this.parts = []; this.length = 0; }
  fixed(b) { this.parts.push(b); this.length += b.length; return this; }
  u8(v) { return this.fixed(Uint8Array.of(v)); }
  u16(v) { return this.fixed(Uint8Array.of((v >>> 8) & 255, v & 255)); }
  u32(v) { return this.fixed(Uint8Array.of((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255)); }
  lp(b) { return this.u32(b.length).fixed(b); }
  str(s) { return this.lp(te.encode(s)); }
  element(p) { return this.fixed(encodePoint(p)); }
  scalar(k) { return this.fixed(encodeScalar(k)); }
  bytes() {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

export async function sha256(b) { return new Uint8Array(await crypto.subtle.digest("SHA-256", b)); }
export async function sha512(b) { return new Uint8Array(await crypto.subtle.digest("SHA-512", b)); }

/** Random bytes from the operating system's generator (WebCrypto). */
export function randomBytes(n) { return crypto.getRandomValues(new Uint8Array(n)); }

/** protocol.md §3: str("DAUYS-v1") ‖ str(tag) ‖ str(group) ‖ h ‖ items; H = int(SHA-512) mod q. */
export class Transcript extends Writer {
  constructor(tag, election) {
    super();
    this.str("DAUYS-v1").str(tag).str(GROUP).fixed(election);
  }
  async challenge() { return modn(bigFromBytes(await sha512(this.bytes()))); }
}

/** protocol.md §6.1: what a question's marks become on the ballot. */
export function questionShape([options, min, max]) {
  const encrypted = min === max ? options - 1 : options;
  const lo = Math.max(min === max ? max - 1 : min, 0), hi = Math.min(max, encrypted);
  return { options, min, max, encrypted, lo, hi, sumProof: !(lo <= 0 && hi >= encrypted) };
}

function checkMarks(q, marks, i) {
  if (!Array.isArray(marks) || marks.length !== q.options) throw new Error(`question ${i + 1}: expected ${q.options} marks`);
  if (!marks.every((m) => m === 0 || m === 1)) throw new Error(`question ${i + 1}: each mark must be 0 or 1`);
  const s = marks.reduce((a, b) => a + b, 0);
  if (s < q.min || s > q.max) throw new Error(`question ${i + 1}: ${s} options chosen; between ${q.min} and ${q.max} allowed`);
}

/** statement(i, j) = E(U) ‖ u32(i) ‖ u32(j) — protocol.md §6.3. */
const statement = (U, i, j) => new Writer().element(U).u32(i).u32(j).bytes();
const SUM = 0xffffffff;

/** x(purpose, i, j, v) = H_ballot-nonce(h; seed, lp(purpose), u32(i), u32(j), u32(v)) — §6.4. */
async function ballotNonce(election, seed, purpose, i, j, v) {
  return new Transcript("ballot-nonce", election).fixed(seed).str(purpose).u32(i).u32(j).u32(v).challenge();
}

/** The election key with its table, the election hash and the shape: one per page. */
export class Election {
  constructor({ electionHash, publicKey, shape }) {
    this.hash = electionHash instanceof Uint8Array ? electionHash : unhex(electionHash, "election hash");
    if (this.hash.length !== 32) throw new Error("election hash: 32 bytes expected");
    const K = decodePoint(publicKey instanceof Uint8Array ? publicKey : unhex(publicKey, "election key"));
    this.key = new FixedBase(K);
    this.shape = shape.map(questionShape);
  }

  /** CDS proof that (α, β) encrypts value ∈ [lo, hi] — protocol.md §5.3. */
  async rangeProof(ct, value, rho, lo, hi, stmt, rnd) {
    const K = this.key;
    const commits = [], sim = new Map();
    for (let v = lo; v <= hi; v++) {
      if (v === value) {
        commits.push([base(rnd.w), K.multiply(rnd.w)]);
      } else {
        const c = await rnd.challenge(v), r = await rnd.response(v);
        sim.set(v, [c, r]);
        const A = pointAdd(base(r), negate(multiply(ct.alpha, c)));
        const shifted = pointAdd(ct.beta, negate(base(BigInt(v))));
        const Bv = pointAdd(K.multiply(r), negate(multiply(shifted, c)));
        commits.push([A, Bv]);
      }
    }
    const t = new Transcript("range", this.hash).lp(stmt).u32(lo).u32(hi);
    t.element(K.point).element(ct.alpha).element(ct.beta);
    for (const [A, Bv] of commits) t.element(A).element(Bv);
    const c = await t.challenge();
    let cReal = c;
    for (const [cv] of sim.values()) cReal = modn(cReal - cv);
    const cs = [], rs = [];
    for (let v = lo; v <= hi; v++) {
      if (v === value) { cs.push(cReal); rs.push(modn(rnd.w + cReal * rho)); }
      else { cs.push(sim.get(v)[0]); rs.push(sim.get(v)[1]); }
    }
    const w = new Writer();
    for (const [A, Bv] of commits) w.element(A).element(Bv);
    for (const cv of cs.slice(0, -1)) w.scalar(cv);
    for (const r of rs) w.scalar(r);
    return w.bytes();
  }

  randomness(seed, i, j) {
    const h = this.hash;
    return {
      w: null,
      async init() {
        this.w = await ballotNonce(h, seed, "proof-commitment", i, j, 0);
        if (this.w === 0n) this.w = 1n;
        return this;
      },
      challenge: (v) => ballotNonce(h, seed, "proof-challenge", i, j, v),
      response: (v) => ballotNonce(h, seed, "proof-response", i, j, v),
    };
  }

  /** The signed message of a ballot (everything before the signature), all from the seed. */
  async encryptAnswers(selections, U, seed, sequence) {
    if (selections.length !== this.shape.length) throw new Error(`expected answers to ${this.shape.length} questions`);
    if (!Number.isInteger(sequence) || sequence < 1 || sequence > 0xffffffff) throw new Error("bad ballot sequence number");
    const w = new Writer().u8(2).fixed(this.hash).element(U).u32(sequence).u16(this.shape.length);
    for (let i = 0; i < this.shape.length; i++) {
      const q = this.shape[i];
      checkMarks(q, selections[i], i);
      w.u16(q.encrypted);
      let alphaSum = null, betaSum = null, rhoSum = 0n, total = 0;
      for (let j = 0; j < q.encrypted; j++) {
        const m = selections[i][j];
        const rho = await ballotNonce(this.hash, seed, "encrypt", i, j, 0);
        const alpha = base(rho);
        let beta = this.key.multiply(rho);
        if (m) beta = pointAdd(beta, G);
        const ct = { alpha, beta };
        const rnd = await this.randomness(seed, i, j).init();
        const proof = await this.rangeProof(ct, m, rho, 0, 1, statement(U, i, j), rnd);
        w.element(alpha).element(beta).fixed(proof);
        alphaSum = pointAdd(alphaSum, alpha);
        betaSum = pointAdd(betaSum, beta);
        rhoSum = modn(rhoSum + rho);
        total += m;
      }
      if (q.sumProof) {
        const rnd = await this.randomness(seed, i, SUM).init();
        w.fixed(await this.rangeProof(
          { alpha: alphaSum, beta: betaSum }, total, rhoSum, q.lo, q.hi, statement(U, i, SUM), rnd));
      }
    }
    return w.bytes();
  }

  /** Encrypts, proves and signs a ballot — protocol.md §6.2; `sequence`: the credential's next ballot number. */
  async encrypt(selections, credential, { sequence = 1, seed = randomBytes(32), entropy = randomBytes(32) } = {}) {
    const unsigned = await this.encryptAnswers(selections, credential.publicKey, seed, sequence);
    const sig = await this.sign(unsigned, credential, entropy);
    const bytes = new Writer().fixed(unsigned).fixed(sig).bytes();
    return { bytes, seed, selections, sequence, tracking: await trackingCode(bytes) };
  }

  /** Credential signature — protocol.md §5.4. */
  async sign(message, credential, entropy) {
    const nt = new Transcript("credential-signature-nonce", this.hash);
    let k = await nt.scalar(credential.secret).lp(message).lp(entropy).challenge();
    if (k === 0n) k = 1n;
    const A = base(k);
    const c = await new Transcript("credential-signature", this.hash)
      .element(credential.publicKey).lp(message).element(A).challenge();
    return new Writer().element(A).scalar(modn(k + c * credential.secret)).bytes();
  }

  /** Benaloh audit (§6.4): re-creates the ballot's encrypted answers from the seed and marks. */
  async audit(ballot, seed, selections) {
    if (ballot.length < 102 || ballot[0] !== 2) throw new Error("not a version-2 ballot");
    if (!equalBytes(ballot.subarray(1, 33), this.hash)) throw new Error("the ballot belongs to another election");
    const U = decodePoint(ballot.subarray(33, 98));
    const sequence = ((ballot[98] << 24) >>> 0) + (ballot[99] << 16) + (ballot[100] << 8) + ballot[101];
    if (sequence < 1) throw new Error("ballot sequence number 0");
    const expected = await this.encryptAnswers(selections, U, seed, sequence);
    return equalBytes(expected, ballot.subarray(0, ballot.length - 97));
  }
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** protocol.md §6.5: the digest, and its first 80 bits as XXXX-XXXX-XXXX-XXXX. */
export async function trackingCode(ballot) {
  const digest = await sha256(new Writer().str("DAUYS-v1").str("tracking-code").lp(ballot).bytes());
  let bits = 0, value = 0, s = "";
  for (const b of digest.subarray(0, 10)) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) { bits -= 5; s += CROCKFORD[(value >> bits) & 31]; }
  }
  return { digest: hex(digest), short: s.match(/.{4}/g).join("-") };
}

/** record.md §6: a typed credential code, normalised; throws a reason a voter can act on. */
export function normaliseCode(typed) {
  let c = "";
  for (const ch of typed.toUpperCase()) {
    if (ch === "-" || /\s/.test(ch)) continue;
    const v = ch === "O" ? "0" : ch === "I" || ch === "L" ? "1" : ch;
    if (!CROCKFORD.includes(v)) throw Object.assign(new Error(`credential code contains "${ch}"`), { code: "bad_char" });
    c += v;
  }
  if (c.length !== 24) throw Object.assign(new Error(`credential code must have 24 characters, has ${c.length}`), { code: "bad_length" });
  return c;
}

/** u = int(SHA-512(str("DAUYS-v1") ‖ str("credential") ‖ h₀ ‖ str(c))) mod q (1 if 0). */
export async function credentialFromCode(typed, baseHash) {
  const c = normaliseCode(typed);
  const h0 = baseHash instanceof Uint8Array ? baseHash : unhex(baseHash, "base hash");
  let u = modn(bigFromBytes(await sha512(new Writer().str("DAUYS-v1").str("credential").fixed(h0).str(c).bytes())));
  if (u === 0n) u = 1n;
  return { secret: u, publicKey: base(u) };
}

export function credentialFromSecret(u) {
  return { secret: u, publicKey: base(u) };
}

/** record.md §3 kind 24: lp(ballot) ‖ seed ‖ u16(q) ‖ q × (u16(n) ‖ n × u8(mark)). */
export function auditPayload(ballot, seed, selections) {
  const w = new Writer().lp(ballot).fixed(seed).u16(selections.length);
  for (const marks of selections) {
    w.u16(marks.length);
    for (const m of marks) w.u8(m);
  }
  return w.bytes();
}

export function parseAuditPayload(p) {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  let o = 0;
  const need = (n) => { if (o + n > p.length) throw new Error("audited ballot payload is truncated"); };
  need(4);
  const n = dv.getUint32(o); o += 4;
  need(n); const ballot = p.slice(o, o + n); o += n;
  need(32); const seed = p.slice(o, o + 32); o += 32;
  need(2); const q = dv.getUint16(o); o += 2;
  const selections = [];
  for (let i = 0; i < q; i++) {
    need(2); const k = dv.getUint16(o); o += 2;
    need(k); selections.push(Array.from(p.subarray(o, o + k))); o += k;
  }
  if (o !== p.length) throw new Error("audited ballot payload has trailing bytes");
  return { ballot, seed, selections };
}

export { decodePoint, decodeScalar, encodePoint, bigFromBytes, equal };

/** record.md §9.2: str("DAUYS-v1") ‖ str("receipt") ‖ h₀ ‖ u64(entry) ‖ entry_hash ‖ tracking_digest ‖ u64(time). */
export function receiptMessage(r) {
  const u64 = (v) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v));
    return b;
  };
  return new Writer().str("DAUYS-v1").str("receipt").fixed(unhex(r.election, "election")).fixed(u64(r.entry))
    .fixed(unhex(r.entry_hash, "entry hash")).fixed(unhex(r.tracking_digest, "tracking digest")).fixed(u64(r.time))
    .bytes();
}

/**
 * Checks the board's receipt on the device (record.md §9.2, step 1, and that it is for this
 * ballot): the Ed25519 signature under `boardKey`, the receipt's key is that one, the election
 * is h₀, and the tracking digest and code are the ones the device computed. Returns the list of
 * problems (empty when the receipt holds).
 */
export async function checkReceipt(r, { baseHash, tracking, boardKey }) {
  const problems = [];
  if (boardKey && r.board_key !== boardKey) problems.push("board key");
  if (r.election !== baseHash) problems.push("election");
  if (tracking && (r.tracking_digest !== tracking.digest || r.tracking_code !== tracking.short)) {
    problems.push("tracking code");
  }
  try {
    const key = await crypto.subtle.importKey("raw", unhex(r.board_key, "board key"), { name: "Ed25519" }, false,
      ["verify"]);
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, unhex(r.signature, "signature"), receiptMessage(r));
    if (!ok) problems.push("signature");
  } catch {
    problems.push("signature");
  }
  return problems;
}
