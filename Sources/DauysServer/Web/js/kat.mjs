// Known-answer checks of the booth's cryptography against the vectors `dauys test-vectors`
// writes (Tests/DauysCryptoTests/Vectors): run by Node (Tests/Web/kat.mjs) and in Chromium
// (Tests/Web/browser_test.py). Returns {passed, failed: [names]}.
import { base, multiply, pointAdd, encodePoint, decodePoint, decodeScalar, G, N } from "./p256.mjs";
import {
  Election, hex, unhex, trackingCode, credentialFromCode, credentialFromSecret, parseAuditPayload, auditPayload,
  receiptMessage, checkReceipt,
} from "./protocol.mjs";

export async function runKAT(vectors, eligibility) {
  const failed = [];
  let passed = 0;
  const check = (name, ok) => { if (ok) passed++; else failed.push(name); };
  const throws = (name, f, pattern) => {
    try { f(); failed.push(name); } catch (e) { check(name, pattern.test(e.message)); }
  };

  for (const v of vectors.scalar_base_mult) {
    check(`k·G ${v.name}`, hex(encodePoint(base(BigInt("0x" + v.k)))) === v.kG);
    check(`k·G ${v.name} (variable base)`, hex(encodePoint(multiply(G, BigInt("0x" + v.k)))) === v.kG);
  }
  const eg = vectors.elgamal;
  const key = eg.public_key;
  check("election key = s·G", hex(encodePoint(base(BigInt("0x" + eg.secret)))) === key);
  const election = new Election({ electionHash: vectors.election, publicKey: key, shape: [[2, 1, 1]] });
  const rho = BigInt("0x" + eg.nonce);
  check("ρ·K variable base = fixed base",
    hex(encodePoint(multiply(decodePoint(unhex(key)), rho))) === hex(encodePoint(election.key.multiply(rho))));
  const ct = hex(encodePoint(base(rho))) + hex(encodePoint(pointAdd(election.key.multiply(rho), G)));
  check("ElGamal encryption of 1", ct === eg.ciphertext);

  for (const b of vectors.ballots) {
    const e = new Election({ electionHash: vectors.election, publicKey: key, shape: b.shape });
    const cred = credentialFromSecret(BigInt("0x" + b.credential_secret));
    check(`ballot ${b.name}: credential`, hex(encodePoint(cred.publicKey)) === b.credential);
    const made = await e.encrypt(b.selections, cred,
      { sequence: b.sequence, seed: unhex(b.seed), entropy: unhex(b.signature_entropy) });
    check(`ballot ${b.name}: bytes`, hex(made.bytes) === b.ballot);
    check(`ballot ${b.name}: tracking digest`, made.tracking.digest === b.tracking_code);
    check(`ballot ${b.name}: tracking code`, made.tracking.short === b.tracking_code_short);
    check(`ballot ${b.name}: audit`, await e.audit(unhex(b.ballot), unhex(b.seed), b.selections));
    const flipped = b.selections.map((m) => [...m].reverse());
    if (JSON.stringify(flipped) !== JSON.stringify(b.selections)) {
      let ok;
      try { ok = await e.audit(unhex(b.ballot), unhex(b.seed), flipped); } catch { ok = false; }
      check(`ballot ${b.name}: audit of other choices fails`, ok === false);
    }
  }

  for (const c of eligibility.credentials) {
    const cred = await credentialFromCode(c.code.toLowerCase().replaceAll("0", "o"), eligibility.base_hash);
    check(`credential code ${c.registry_number}`, hex(encodePoint(cred.publicKey)) === c.public_credential);
  }
  const a = eligibility.auditing.audited_ballot;
  const p = parseAuditPayload(unhex(a.payload));
  check("audited ballot payload: fields", hex(p.ballot) === a.ballot && hex(p.seed) === a.seed
    && JSON.stringify(p.selections) === JSON.stringify(a.selections));
  check("audited ballot payload: encoding", hex(auditPayload(p.ballot, p.seed, p.selections)) === a.payload);
  const ae = new Election({ electionHash: p.ballot.subarray(1, 33), publicKey: a.election_key, shape: [[2, 1, 1]] });
  check("audited ballot re-encrypts", await ae.audit(p.ballot, p.seed, p.selections));

  const rc = eligibility.receipt;
  check("receipt: signed bytes", hex(receiptMessage(rc.receipt)) === rc.signed_bytes);
  const expect = { baseHash: rc.receipt.election, boardKey: rc.receipt.board_key,
    tracking: { digest: rc.receipt.tracking_digest, short: rc.receipt.tracking_code } };
  check("receipt: holds", (await checkReceipt(rc.receipt, expect)).length === 0);
  const forged = { ...rc.receipt, entry: rc.receipt.entry + 1 };
  check("receipt: a changed entry fails the signature",
    JSON.stringify(await checkReceipt(forged, expect)) === JSON.stringify(["signature"]));
  check("receipt: another ballot's receipt is refused", (await checkReceipt(rc.receipt,
    { ...expect, tracking: { digest: "00".repeat(32), short: rc.receipt.tracking_code } })).includes("tracking code"));
  check("receipt: another board key is refused",
    (await checkReceipt(rc.receipt, { ...expect, boardKey: "11".repeat(32) })).includes("board key"));

  const good = encodePoint(G);
  throws("refuses a short point", () => decodePoint(good.subarray(1)), /65 bytes/);
  throws("refuses a compressed point", () => decodePoint(Uint8Array.of(2, ...good.subarray(1))), /uncompressed/);
  const off = good.slice(); off[64] ^= 1;
  throws("refuses a point off the curve", () => decodePoint(off), /not a group element/);
  throws("refuses the neutral element", () => decodePoint(new Uint8Array(65)), /neutral/);
  throws("refuses a scalar ≥ q", () => decodeScalar(unhex(N.toString(16))), /not reduced/);
  return { passed, failed };
}

/** scripts/bench/booth-js: a fresh Election (tables for G and K) and its first ballot, then
 *  `n` ballots each timed alone — the same code in Chromium and in Node. */
export async function benchmark(status, n) {
  const t0 = performance.now();
  const e = new Election({ electionHash: status.election_hash, publicKey: status.public_key, shape: [[2, 1, 1]] });
  const cred = credentialFromSecret(123456789n);
  await e.encrypt([[1, 0]], cred);
  const first = performance.now() - t0;
  const times = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await e.encrypt([[i % 2, 1 - (i % 2)]], cred);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const q = (p) => +times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
  return {
    ballots: n, first_ballot_with_tables_ms: +first.toFixed(1), median_ms: q(0.5), p95_ms: q(0.95),
    ballots_per_s: +(1000 / (times.reduce((a, b) => a + b, 0) / n)).toFixed(1),
  };
}
