import Crypto

/// Domain-separated hashing for Fiat–Shamir challenges and derived values.
///
/// Every hash input starts with the protocol label, the purpose tag and the group name, each
/// length-prefixed, followed by the 32-byte election hash it is bound to, then the items in
/// their canonical encodings (elements and scalars fixed-length, integers big-endian,
/// byte strings and text length-prefixed). Two different inputs therefore never share an
/// encoding. All hashing of Dauys goes through this one type, so that another hash suite
/// (for instance ElectionGuard's, for export) can be substituted in one place.
public struct Transcript<G: PrimeOrderGroup> {
    public static var protocolLabel: String { "DAUYS-v1" }
    private var w = ByteWriter(capacity: 1024)

    public init(_ tag: String, election: ElectionHash) {
        w.string(Self.protocolLabel)
        w.string(tag)
        w.string(G.name)
        w.fixed(election.bytes)
    }

    public mutating func append(_ e: GroupElement<G>) { w.fixed(e.bytes) }
    public mutating func append(_ es: [GroupElement<G>]) { for e in es { append(e) } }
    public mutating func append(_ s: Scalar<G>) { w.fixed(s.bytes) }
    public mutating func append(u32 v: UInt32) { w.u32(v) }
    public mutating func append(bytes b: [UInt8]) { w.lengthPrefixed(b) }
    public mutating func append(fixed b: [UInt8]) { w.fixed(b) }

    /// The challenge scalar: SHA-512 of the input (64 bytes) reduced modulo q. Because the
    /// digest is 256 bits longer than q, the result is within 2⁻²⁵⁶ of uniform.
    public func challenge() -> Scalar<G> { Scalar(reducing: Array(SHA512.hash(data: w.bytes))) }
    /// A 32-byte digest (SHA-256) of the input.
    public func digest() -> [UInt8] { Array(SHA256.hash(data: w.bytes)) }
}

/// The 32-byte hash that binds every proof, signature and ballot to one election: the
/// election's public context (manifest, group, trustees, joint key) as computed by the
/// referendum layer. A proof made for one election never verifies in another.
public struct ElectionHash: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init<B: Collection>(bytes: B) throws(CryptoError) where B.Element == UInt8 {
        guard bytes.count == 32 else { throw .invalidEncoding("election hash: \(bytes.count) bytes, expected 32") }
        self.bytes = Array(bytes)
    }
    public init(hex: String) throws(CryptoError) { try self.init(bytes: try Hex.decode(hex, what: "election hash")) }

    /// SHA-256 of a labelled, length-prefixed list of parts; for deriving contexts.
    public static func derive(_ label: String, parts: [[UInt8]]) -> ElectionHash {
        var w = ByteWriter()
        w.string("DAUYS-v1")
        w.string(label)
        w.u32(UInt32(parts.count))
        for p in parts { w.lengthPrefixed(p) }
        return try! ElectionHash(bytes: Array(SHA256.hash(data: w.bytes)))
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
}
