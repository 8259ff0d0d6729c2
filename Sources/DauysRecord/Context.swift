import Crypto
import DauysCrypto
import Foundation

/// Hashes and derivations every participant computes the same way from the public record.
public enum RecordContext {
    /// Binds the key ceremony to the manifest: derive("election-base", [manifest bytes, group]).
    public static func baseHash(manifestPayload: [UInt8], group: String) -> ElectionHash {
        ElectionHash.derive("election-base", parts: [manifestPayload, Array(group.utf8)])
    }

    /// Binds ballots and decryption to the manifest and the election key:
    /// derive("election", [base hash, u16 qualified trustees…, E(K)]).
    public static func electionHash<G: PrimeOrderGroup>(
        base: ElectionHash, qualified: [Int], key: GroupElement<G>
    ) -> ElectionHash {
        var q = ByteWriter()
        for i in qualified { q.u16(UInt16(i)) }
        return ElectionHash.derive("election", parts: [base.bytes, q.bytes, key.bytes])
    }

    /// The tally units for the counted ballots per region (docs/record.md, "Tally units"):
    /// with unit "region", every region with at least max(floor, 1) counted ballots is a unit
    /// of its own; regions with fewer (but some) are folded together, adding the smallest
    /// other regions until the folded unit reaches the floor. Regions with no ballot are in
    /// no unit. With unit "national", one unit holds every region with ballots.
    public static func tallyUnits(manifest: Manifest, ballotsPerRegion: [UInt64]) -> [TallyUnit] {
        let withBallots = ballotsPerRegion.indices.filter { ballotsPerRegion[$0] > 0 }
        if withBallots.isEmpty { return [] }
        if manifest.tally.unit == "national" {
            return [
                TallyUnit(
                    id: "national", regions: withBallots, ballots: withBallots.reduce(0) { $0 + ballotsPerRegion[$1] })
            ]
        }
        let floor = UInt64(max(manifest.tally.privacyFloor, 1))
        var folded = Set(withBallots.filter { ballotsPerRegion[$0] < floor })
        if !folded.isEmpty {
            var sum = folded.reduce(0) { $0 + ballotsPerRegion[$1] }
            let candidates = withBallots.filter { !folded.contains($0) }.sorted {
                (ballotsPerRegion[$0], $0) < (ballotsPerRegion[$1], $1)
            }
            for c in candidates where sum < floor {
                folded.insert(c)
                sum += ballotsPerRegion[c]
            }
        }
        var units = withBallots.filter { !folded.contains($0) }.map {
            TallyUnit(id: manifest.regions[$0].id, regions: [$0], ballots: ballotsPerRegion[$0])
        }
        if !folded.isEmpty {
            let f = folded.sorted()
            units.append(TallyUnit(id: "folded", regions: f, ballots: f.reduce(0) { $0 + ballotsPerRegion[$1] }))
        }
        return units
    }
}

/// A voter's secret credential: 24 Crockford base32 characters (120 bits), printed as six
/// groups of four. The secret scalar and the public credential are
///
///     u = int(SHA-512( str("DAUYS-v1") ‖ str("credential") ‖ base hash ‖ str(code) )) mod q,  U = u·G
///
/// (Belenios-style: the registrar publishes only U; only the voter's letter holds the code.)
public struct VoterCredential: Sendable, Hashable {
    public let code: String

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    public static func random() -> VoterCredential {
        let bytes = SecureRandom.bytes(24)
        return VoterCredential(uncheckedCode: String(bytes.map { alphabet[Int($0 & 31)] }))
    }
    init(uncheckedCode: String) { code = uncheckedCode }

    /// Parses a typed code: case, spaces and dashes do not matter; O→0, I/L→1.
    public init(typed: String) throws(DauysCrypto.CryptoError) {
        var cleaned = ""
        for ch in typed.uppercased() where ch != "-" && !ch.isWhitespace {
            let c: Character = ch == "O" ? "0" : (ch == "I" || ch == "L") ? "1" : ch
            guard Self.alphabet.contains(c) else { throw .invalidEncoding("credential code contains \"\(ch)\"") }
            cleaned.append(c)
        }
        guard cleaned.count == 24 else {
            throw .invalidEncoding("credential code must have 24 characters, has \(cleaned.count)")
        }
        code = cleaned
    }

    public var printed: String {
        let c = Array(code)
        return stride(from: 0, to: 24, by: 4).map { String(c[$0..<($0 + 4)]) }.joined(separator: "-")
    }

    public func keyPair<G: PrimeOrderGroup>(_: G.Type, base: ElectionHash) -> KeyPair<G> {
        var w = ByteWriter()
        w.string("DAUYS-v1")
        w.string("credential")
        w.fixed(base.bytes)
        w.string(code)
        var s = Scalar<G>(reducing: Array(SHA512.hash(data: w.bytes)))
        if s.isZero { s = .one }
        return KeyPair(secret: s)
    }
}

/// A compact dictionary key for large sets (credentials, ballots): SHA-256 of the bytes,
/// as four words. Collision-resistant, and 32 bytes instead of a heap array per entry.
public struct DigestKey: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64
    public init<B: Collection>(_ bytes: B) where B.Element == UInt8 {
        let h = Array(SHA256.hash(data: Array(bytes)))
        func w(_ i: Int) -> UInt64 { h[i..<(i + 8)].reduce(0) { $0 << 8 | UInt64($1) } }
        a = w(0)
        b = w(8)
        c = w(16)
        d = w(24)
    }
}

extension DigestKey {
    /// The 32 bytes of the digest (for a key kept outside the process, e.g. in PostgreSQL).
    public var bytes: [UInt8] {
        [a, b, c, d].flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (56 - 8 * $0)) } }
    }

    /// A key from an existing 32-byte digest (a tracking code), without hashing again.
    public init(digest h: [UInt8]) {
        precondition(h.count == 32)
        func w(_ i: Int) -> UInt64 { h[i..<(i + 8)].reduce(0) { $0 << 8 | UInt64($1) } }
        a = w(0)
        b = w(8)
        c = w(16)
        d = w(24)
    }
}

/// The 80 bits of a tracking digest that its short code shows (protocol.md §6.3): what a
/// voter who kept only the short code can look a ballot up by.
public struct ShortCodeKey: Hashable, Sendable {
    let high: UInt64
    let low: UInt16
    /// From the first 10 bytes of a digest (`TrackingCode.digestPrefix(short:)`).
    public init?(prefix p: [UInt8]) {
        guard p.count == 10 else { return nil }
        high = p[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = UInt16(p[8]) << 8 | UInt16(p[9])
    }
}

extension DigestKey {
    public var shortCode: ShortCodeKey {
        var p = [UInt8](repeating: 0, count: 10)
        for i in 0..<8 { p[i] = UInt8(truncatingIfNeeded: a >> (56 - 8 * UInt64(i))) }
        p[8] = UInt8(truncatingIfNeeded: b >> 56)
        p[9] = UInt8(truncatingIfNeeded: b >> 48)
        return ShortCodeKey(prefix: p)!
    }
}
