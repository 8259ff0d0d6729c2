// P-256 (NIST P-256 / secp256r1) on BigInt, for the voter's device — protocol.md §2.1.
// No dependency: points in Jacobian coordinates with a = −3 formulas (Bernstein–Lange,
// Explicit-Formulas Database: dbl-2001-b, add-2007-bl, madd-2007-bl), fixed-base tables of
// 4-bit windows for G and the election key, extended Euclid for inverses.
// BigInt arithmetic is not constant-time; see docs/protocol.md §8 for what that means here.

export const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
export const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;

/** An affine point {x, y}, or null for the neutral element O. */
export const G = Object.freeze({ x: GX, y: GY });

const INF = [1n, 1n, 0n];
const modp = (a) => {
  const r = a % P;
  return r < 0n ? r + P : r;
};
export const modn = (a) => {
  const r = a % N;
  return r < 0n ? r + N : r;
};

/** a⁻¹ mod m (extended Euclid); a must be invertible. */
export function invert(a, m) {
  let r = m, nr = ((a % m) + m) % m, t = 0n, nt = 1n;
  while (nr !== 0n) {
    const q = r / nr;
    [t, nt] = [nt, t - q * nt];
    [r, nr] = [nr, r - q * nr];
  }
  if (r !== 1n) throw new Error("not invertible");
  return t < 0n ? t + m : t;
}

// Jacobian arithmetic. Coordinates may be negative residues in (−P, P) between operations.
function dbl(p) {
  const [X1, Y1, Z1] = p;
  if (Z1 % P === 0n || Y1 % P === 0n) return INF;
  const delta = (Z1 * Z1) % P, gamma = (Y1 * Y1) % P, beta = (X1 * gamma) % P;
  const alpha = (3n * (((X1 - delta) * (X1 + delta)) % P)) % P;
  const X3 = (alpha * alpha - 8n * beta) % P;
  const Z3 = ((Y1 + Z1) * (Y1 + Z1) - gamma - delta) % P;
  const Y3 = (alpha * (4n * beta - X3) - ((8n * gamma * gamma) % P)) % P;
  return [X3, Y3, Z3];
}

function add(p, q) {
  const [X1, Y1, Z1] = p, [X2, Y2, Z2] = q;
  if (Z1 % P === 0n) return q;
  if (Z2 % P === 0n) return p;
  const Z1Z1 = (Z1 * Z1) % P, Z2Z2 = (Z2 * Z2) % P;
  const U1 = (X1 * Z2Z2) % P, U2 = (X2 * Z1Z1) % P;
  const S1 = (((Y1 * Z2) % P) * Z2Z2) % P, S2 = (((Y2 * Z1) % P) * Z1Z1) % P;
  const H = (U2 - U1) % P, r = (2n * (S2 - S1)) % P;
  if (H === 0n) return r === 0n ? dbl(p) : INF;
  const I = (4n * H * H) % P, J = (H * I) % P, V = (U1 * I) % P;
  const X3 = (r * r - J - 2n * V) % P;
  const Y3 = (r * (V - X3) - ((2n * S1 * J) % P)) % P;
  const Z3 = ((((Z1 + Z2) * (Z1 + Z2) - Z1Z1 - Z2Z2) % P) * H) % P;
  return [X3, Y3, Z3];
}

// Jacobian + affine (x2, y2).
function madd(p, x2, y2) {
  const [X1, Y1, Z1] = p;
  if (Z1 % P === 0n) return [x2, y2, 1n];
  const Z1Z1 = (Z1 * Z1) % P;
  const U2 = (x2 * Z1Z1) % P, S2 = (((y2 * Z1) % P) * Z1Z1) % P;
  const H = (U2 - X1) % P, r = (2n * (S2 - Y1)) % P;
  if (H === 0n) return r === 0n ? dbl(p) : INF;
  const HH = (H * H) % P, I = (4n * HH) % P, J = (H * I) % P, V = (X1 * I) % P;
  const X3 = (r * r - J - 2n * V) % P;
  const Y3 = (r * (V - X3) - ((2n * Y1 * J) % P)) % P;
  const Z3 = ((Z1 + H) * (Z1 + H) - Z1Z1 - HH) % P;
  return [X3, Y3, Z3];
}

const jac = (a) => (a === null ? INF : [a.x, a.y, 1n]);

function affine(p) {
  if (p[2] % P === 0n) return null;
  const zi = invert(p[2], P), zi2 = (zi * zi) % P;
  return { x: modp(p[0] * zi2), y: modp(((p[1] * zi2) % P) * zi) };
}

/** Many Jacobian points to affine with one inversion (Montgomery's trick). */
function affineAll(ps) {
  const zs = ps.map((p) => modp(p[2]));
  const prefix = new Array(zs.length);
  let acc = 1n;
  for (let i = 0; i < zs.length; i++) {
    prefix[i] = acc;
    if (zs[i] !== 0n) acc = (acc * zs[i]) % P;
  }
  let inv = invert(acc, P);
  const out = new Array(ps.length);
  for (let i = zs.length - 1; i >= 0; i--) {
    if (zs[i] === 0n) { out[i] = null; continue; }
    const zi = (inv * prefix[i]) % P;
    inv = (inv * zs[i]) % P;
    const zi2 = (zi * zi) % P;
    out[i] = { x: modp(ps[i][0] * zi2), y: modp(((ps[i][1] * zi2) % P) * zi) };
  }
  return out;
}

export function pointAdd(a, b) { return affine(add(jac(a), jac(b))); }
export function negate(a) { return a === null ? null : { x: a.x, y: modp(-a.y) }; }
export function equal(a, b) {
  return a === null || b === null ? a === b : a.x === b.x && a.y === b.y;
}

/** k·Q for any point Q (4-bit window, most significant first). */
export function multiply(q, k) {
  k = modn(k);
  if (q === null || k === 0n) return null;
  const tbl = [INF, jac(q)];
  for (let i = 2; i < 16; i++) tbl.push(add(tbl[i - 1], tbl[1]));
  let acc = INF;
  for (let shift = 252n; shift >= 0n; shift -= 4n) {
    acc = dbl(dbl(dbl(dbl(acc))));
    const d = Number((k >> shift) & 15n);
    if (d) acc = add(acc, tbl[d]);
  }
  return affine(acc);
}

/** A point with a table of d·16^i·Q (d = 1…15, i = 0…63) for fast k·Q: 64 mixed additions. */
export class FixedBase {
  constructor(q) {
    if (q === null) throw new Error("neutral element has no table");
    this.point = q;
    const rows = [];
    let cur = jac(q);
    for (let i = 0; i < 64; i++) {
      const row = [cur];
      for (let d = 2; d <= 15; d++) row.push(add(row[d - 2], cur));
      rows.push(...row);
      cur = dbl(dbl(dbl(dbl(cur))));
    }
    this.table = affineAll(rows);
  }
  multiply(k) {
    k = modn(k);
    let acc = INF;
    for (let i = 0; i < 64; i++) {
      const d = Number((k >> BigInt(4 * i)) & 15n);
      if (d) {
        const t = this.table[i * 15 + d - 1];
        acc = madd(acc, t.x, t.y);
      }
    }
    return affine(acc);
  }
}

let gTable = null;
/** k·G. */
export function base(k) {
  gTable ??= new FixedBase(G);
  return gTable.multiply(k);
}

// Encodings — protocol.md §2.1 and §2.3.

export function bigFromBytes(b) {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

export function bytesFromBig(x, len) {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) { out[i] = Number(x & 0xffn); x >>= 8n; }
  if (x !== 0n) throw new Error("integer too large");
  return out;
}

/** E(P): 04 ‖ X ‖ Y, or 65 zero bytes for O. */
export function encodePoint(a) {
  const out = new Uint8Array(65);
  if (a === null) return out;
  out[0] = 4;
  out.set(bytesFromBig(a.x, 32), 1);
  out.set(bytesFromBig(a.y, 32), 33);
  return out;
}

/** Decodes exactly as protocol.md §2.1 says; throws with the reason otherwise. */
export function decodePoint(bytes, { allowNeutral = false } = {}) {
  if (bytes.length !== 65) throw new Error("invalid encoding: a P-256 element has 65 bytes");
  if (bytes.every((v) => v === 0)) {
    if (allowNeutral) return null;
    throw new Error("neutral element not allowed");
  }
  if (bytes[0] !== 4) throw new Error("invalid encoding: not an uncompressed point");
  const x = bigFromBytes(bytes.subarray(1, 33)), y = bigFromBytes(bytes.subarray(33, 65));
  if (x >= P || y >= P) throw new Error("invalid encoding: coordinate not below p");
  if (modp(y * y - (x * x * x - 3n * x + B)) !== 0n) throw new Error("not a group element");
  return { x, y };
}

/** S(k): 32 bytes big-endian; decoding refuses k ≥ n. */
export const encodeScalar = (k) => bytesFromBig(modn(k), 32);
export function decodeScalar(bytes) {
  if (bytes.length !== 32) throw new Error("invalid encoding: a scalar has 32 bytes");
  const k = bigFromBytes(bytes);
  if (k >= N) throw new Error("scalar not reduced modulo the group order");
  return k;
}
