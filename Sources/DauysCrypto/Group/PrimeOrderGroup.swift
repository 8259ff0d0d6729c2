/// A cyclic group of prime order q in which discrete logarithms are hard, with a fixed
/// generator G. Dauys writes it additively (P + Q, k·P); for the integer group this is
/// multiplication and exponentiation modulo p.
///
/// One interface serves both the elliptic curve P-256 (the default) and the ElectionGuard
/// 4096-bit integer groups, so every protocol above is written once (as in Belenios).
/// Conforming types are caseless enums: all state is static and immutable.
///
/// Invariants the implementations guarantee:
/// - every `Representation` value handed out is an element of the order-q group;
/// - `decode` accepts exactly the canonical encodings of group elements (fixed length,
///   coordinates/integers reduced, on the curve / in the subgroup) and nothing else;
/// - operations taking a scalar that may be secret (`multiply`, `multiplyGenerator`,
///   `multiply(fixed:)`) are constant-time in the scalar; `linearCombination` is for
///   public values only (verification) and may be variable-time.
public protocol PrimeOrderGroup: Sendable {
    associatedtype Representation: AnyObject & Sendable
    associatedtype FixedBaseTable: Sendable

    /// Stable name written into contexts and records, e.g. "P-256".
    static var name: String { get }
    static var scalarField: ScalarField { get }
    /// Length of the canonical element encoding.
    static var elementByteCount: Int { get }

    static var generatorRepresentation: Representation { get }
    static var identityRepresentation: Representation { get }
    static func isIdentity(_ a: Representation) -> Bool
    static func equal(_ a: Representation, _ b: Representation) -> Bool
    static func add(_ a: Representation, _ b: Representation) -> Representation
    static func negate(_ a: Representation) -> Representation
    static func multiply(_ a: Representation, _ k: Scalar<Self>) -> Representation
    static func multiplyGenerator(_ k: Scalar<Self>) -> Representation
    static func makeFixedBase(_ a: Representation) -> FixedBaseTable
    static func multiply(fixed t: FixedBaseTable, _ k: Scalar<Self>) -> Representation
    /// k_G·G + Σ k_j·F_j + Σ k_i·P_i for public scalars (verification, tallying).
    static func linearCombination(
        generator: Scalar<Self>,
        fixed: [(FixedBaseTable, Scalar<Self>)],
        terms: [(Representation, Scalar<Self>)]
    ) -> Representation
    static func encode(_ a: Representation) -> [UInt8]
    static func decode(_ bytes: ArraySlice<UInt8>, allowIdentity: Bool) throws(CryptoError) -> Representation
    /// 64 bits that identify the element for table look-ups (baby-step giant-step).
    static func lookupKey(_ a: Representation) -> UInt64
}

/// An element of the group G. Always valid: it can only be produced by group operations or
/// by decoding a canonical encoding that passed every membership check.
public struct GroupElement<G: PrimeOrderGroup>: Hashable, Sendable, CustomStringConvertible {
    let representation: G.Representation
    /// The canonical encoding when already known (decoded elements, election keys): encoding
    /// a P-256 point otherwise costs a field inversion, and proofs hash the same points often.
    private let cachedBytes: [UInt8]?

    init(_ r: G.Representation) {
        representation = r
        cachedBytes = nil
    }
    init(_ r: G.Representation, bytes: [UInt8]) {
        representation = r
        cachedBytes = bytes
    }

    /// The same element, carrying its encoding so that hashing it is free.
    public func withCachedEncoding() -> GroupElement {
        cachedBytes == nil ? GroupElement(representation, bytes: bytes) : self
    }

    public static var generator: GroupElement { GroupElement(G.generatorRepresentation) }
    public static var identity: GroupElement { GroupElement(G.identityRepresentation) }
    public var isIdentity: Bool { G.isIdentity(representation) }

    /// Decodes a canonical encoding; the neutral element is refused unless `allowIdentity`.
    public init<B: Collection>(bytes: B, allowIdentity: Bool = false) throws(CryptoError) where B.Element == UInt8 {
        let b = Array(bytes)
        representation = try G.decode(b[...], allowIdentity: allowIdentity)
        cachedBytes = b
    }
    public init(hex: String, allowIdentity: Bool = false, what: String = "group element") throws(CryptoError) {
        try self.init(bytes: try Hex.decode(hex, what: what), allowIdentity: allowIdentity)
    }

    /// Canonical fixed-length encoding (`G.elementByteCount` bytes).
    public var bytes: [UInt8] { cachedBytes ?? G.encode(representation) }
    public var hex: String { Hex.encode(bytes) }
    public var description: String { "\(G.name):\(hex.prefix(16))…" }

    public static func + (a: GroupElement, b: GroupElement) -> GroupElement {
        GroupElement(G.add(a.representation, b.representation))
    }
    public static func - (a: GroupElement, b: GroupElement) -> GroupElement {
        GroupElement(G.add(a.representation, G.negate(b.representation)))
    }
    public static prefix func - (a: GroupElement) -> GroupElement { GroupElement(G.negate(a.representation)) }
    public static func * (k: Scalar<G>, p: GroupElement) -> GroupElement {
        GroupElement(G.multiply(p.representation, k))
    }
    /// k·G for the group generator, using the precomputed table.
    public static func base(_ k: Scalar<G>) -> GroupElement { GroupElement(G.multiplyGenerator(k)) }

    public static func == (a: GroupElement, b: GroupElement) -> Bool { G.equal(a.representation, b.representation) }
    public func hash(into h: inout Hasher) { h.combine(G.lookupKey(representation)) }
}

/// An element with a precomputed table for fast constant-time k·B (the election public key,
/// a trustee's key). Build once, reuse for every ballot.
public struct FixedBase<G: PrimeOrderGroup>: Sendable {
    let table: G.FixedBaseTable
    public let element: GroupElement<G>

    public init(_ element: GroupElement<G>) {
        self.element = element.withCachedEncoding()
        table = G.makeFixedBase(element.representation)
    }
    public func multiply(_ k: Scalar<G>) -> GroupElement<G> { GroupElement(G.multiply(fixed: table, k)) }
}

/// An integer modulo the group order q. Always reduced.
public struct Scalar<G: PrimeOrderGroup>: Hashable, Sendable, CustomStringConvertible {
    var limbs: ScalarLimbs

    init(limbs: ScalarLimbs) { self.limbs = limbs }

    public static var zero: Scalar { Scalar(limbs: (0, 0, 0, 0)) }
    public static var one: Scalar { Scalar(limbs: (1, 0, 0, 0)) }

    /// A small integer (vote counts, trustee indices, option values).
    public init(_ v: UInt64) {
        // Every supported q exceeds 2^64, but reduce anyway for safety.
        limbs = G.scalarField.reduce(bigEndian: withUnsafeBytes(of: v.bigEndian) { Array($0) })
    }
    public init(_ v: Int) {
        precondition(v >= 0, "use negation for negative values")
        self.init(UInt64(v))
    }
    /// Decodes the canonical encoding: exactly `byteCount` big-endian bytes, value < q.
    public init<B: Collection>(bytes: B, what: String = "scalar") throws(CryptoError) where B.Element == UInt8 {
        let f = G.scalarField
        guard bytes.count == f.byteCount else {
            throw .invalidEncoding("\(what): \(bytes.count) bytes, expected \(f.byteCount)")
        }
        guard f.isReduced(bigEndian: bytes) else { throw .scalarOutOfRange(what) }
        limbs = f.fromBigEndian(bytes)
    }
    public init(hex: String, what: String = "scalar") throws(CryptoError) {
        try self.init(bytes: try Hex.decode(hex, what: what), what: what)
    }
    /// Reduces an arbitrary big-endian integer modulo q (hash outputs of ≥ 64 bytes: bias ≤ 2⁻²⁵⁶).
    public init<B: Collection>(reducing bytes: B) where B.Element == UInt8 {
        limbs = G.scalarField.reduce(bigEndian: bytes)
    }
    /// Uniformly random in [0, q), from the OS-seeded CSPRNG.
    public static func random() -> Scalar { Scalar(limbs: G.scalarField.random()) }
    /// Uniformly random in [1, q).
    public static func randomNonZero() -> Scalar {
        while true {
            let s = random()
            if !s.isZero { return s }
        }
    }

    public var bytes: [UInt8] { G.scalarField.bigEndian(limbs) }
    public var hex: String { Hex.encode(bytes) }
    public var isZero: Bool { (limbs.0 | limbs.1 | limbs.2 | limbs.3) == 0 }
    public var description: String { "scalar" }  // never print scalars: they may be secret

    public static func + (a: Scalar, b: Scalar) -> Scalar { Scalar(limbs: G.scalarField.add(a.limbs, b.limbs)) }
    public static func - (a: Scalar, b: Scalar) -> Scalar { Scalar(limbs: G.scalarField.subtract(a.limbs, b.limbs)) }
    public static func * (a: Scalar, b: Scalar) -> Scalar { Scalar(limbs: G.scalarField.multiply(a.limbs, b.limbs)) }
    public static prefix func - (a: Scalar) -> Scalar { Scalar(limbs: G.scalarField.negate(a.limbs)) }
    public static func += (a: inout Scalar, b: Scalar) { a = a + b }
    public static func -= (a: inout Scalar, b: Scalar) { a = a - b }
    /// Multiplicative inverse; nil for zero. Variable-time: public values only.
    public var inverse: Scalar? { G.scalarField.inverse(limbs).map { Scalar(limbs: $0) } }

    public static func == (a: Scalar, b: Scalar) -> Bool {
        ((a.limbs.0 ^ b.limbs.0) | (a.limbs.1 ^ b.limbs.1) | (a.limbs.2 ^ b.limbs.2) | (a.limbs.3 ^ b.limbs.3)) == 0
    }
    public func hash(into h: inout Hasher) {
        h.combine(limbs.0)
        h.combine(limbs.1)
        h.combine(limbs.2)
        h.combine(limbs.3)
    }
}
