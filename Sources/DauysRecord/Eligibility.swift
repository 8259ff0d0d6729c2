import Crypto
import DauysCrypto
import Foundation

/// The parties other than trustees that sign board entries, each with its own Ed25519 key:
/// the credential authority signs the credential lists and the registry the number of eligible
/// voters per precinct (record.md §3.3); the central commission registers the commissions' keys
/// and signs the official result; a commission signs its precincts' protocols and turnout
/// reports with the key registered for it (record.md §3.4).
public enum RecordAuthority: String, Sendable {
    case credentialAuthority = "credential-authority"
    case registry
    case centralCommission = "central-commission"
    /// A precinct or territorial commission: its key is in the message, not in the manifest.
    case commission
    /// An observer who cosigns checkpoints: its key is in the message and among the manifest's
    /// witnesses (record.md §9.4).
    case witness

    func key(_ m: Manifest) -> Curve25519.Signing.PublicKey? {
        switch self {
        case .credentialAuthority: m.eligibility.credentialAuthorityKey
        case .registry: m.eligibility.registryKey
        case .centralCommission: m.centralCommissionKey
        case .commission, .witness: nil
        }
    }

    /// σ is an Ed25519 signature over
    /// str("DAUYS-v1") ‖ str("authority-message") ‖ str(authority) ‖ h₀ ‖ u8(kind) ‖ lp(message).
    func signed(kind: EntryKind, message: [UInt8], base: ElectionHash) -> [UInt8] {
        var w = ByteWriter(capacity: message.count + 96)
        w.string("DAUYS-v1")
        w.string("authority-message")
        w.string(rawValue)
        w.fixed(base.bytes)
        w.u8(kind.rawValue)
        w.lengthPrefixed(message)
        return w.bytes
    }

    func sign(
        kind: EntryKind, message: [UInt8], key: Curve25519.Signing.PrivateKey, base: ElectionHash
    ) throws -> [UInt8] {
        message + Array(try key.signature(for: signed(kind: kind, message: message, base: base)))
    }

    /// Whether `payload` (message ‖ σ) is signed by this authority's key of the manifest.
    func verifies(kind: EntryKind, payload: [UInt8], manifest: Manifest, base: ElectionHash) -> Bool {
        guard let key = key(manifest) else { return false }
        return verifies(kind: kind, payload: payload, key: key, base: base)
    }

    /// Whether `payload` (message ‖ σ) is signed by `key`.
    func verifies(kind: EntryKind, payload: [UInt8], key: Curve25519.Signing.PublicKey, base: ElectionHash) -> Bool {
        guard payload.count > 64 else { return false }
        return key.isValidSignature(
            payload.suffix(64), for: signed(kind: kind, message: Array(payload.dropLast(64)), base: base))
    }
}

/// `u32(n) ‖ n × E(U)` with the encodings strictly increasing (so no credential twice and the
/// order reveals nothing): the credential part of kinds 8 and 14.
enum SortedCredentials {
    static func sorted<G: PrimeOrderGroup>(_ c: [GroupElement<G>]) -> [GroupElement<G>] {
        c.map { $0.withCachedEncoding() }.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
    }

    static func write<G: PrimeOrderGroup>(_ c: [GroupElement<G>], to w: inout ByteWriter) {
        w.u32(UInt32(c.count))
        for e in c { w.fixed(e.bytes) }
    }

    static func read<G: PrimeOrderGroup>(
        _ r: inout ByteReader, what: String
    ) throws(DauysCrypto.CryptoError) -> [GroupElement<G>] {
        let n = Int(try r.u32("\(what): count"))
        guard n <= r.remaining / G.elementByteCount else {
            throw .invalidEncoding("\(what): count larger than the data")
        }
        var out: [GroupElement<G>] = []
        out.reserveCapacity(n)
        var previous: ArraySlice<UInt8>? = nil
        for i in 0..<n {
            let b = try r.fixed(G.elementByteCount, "\(what): credential \(i)")
            if let p = previous, !p.lexicographicallyPrecedes(b) {
                throw .invalidEncoding("\(what): not in increasing order or repeated at position \(i)")
            }
            previous = b
            out.append(try GroupElement(bytes: b))
        }
        return out
    }
}

/// Public credentials of one precinct, signed by the credential authority (entry kind 8):
///
///     message = u16(region) ‖ lp(precinct id) ‖ u32(n) ‖ n × E(U)   (U strictly increasing)
///     payload = message ‖ σ_CA
///
/// A precinct's credentials may come in several lists (at most 100,000 each).
public struct CredentialList<G: PrimeOrderGroup>: Sendable {
    public let region: Int
    public let precinct: String
    public let credentials: [GroupElement<G>]
    /// message ‖ σ, as on the board.
    public let payload: [UInt8]

    /// Signs a list as the credential authority.
    public init(
        region: Int, precinct: String, credentials: [GroupElement<G>], authority: Curve25519.Signing.PrivateKey,
        base: ElectionHash
    ) throws {
        self.region = region
        self.precinct = precinct
        self.credentials = SortedCredentials.sorted(credentials)
        var w = ByteWriter(capacity: 40 + self.credentials.count * G.elementByteCount)
        w.u16(UInt16(region))
        w.lengthPrefixed(Array(precinct.utf8))
        SortedCredentials.write(self.credentials, to: &w)
        payload = try RecordAuthority.credentialAuthority.sign(
            kind: .credentials, message: w.bytes, key: authority, base: base)
    }

    /// Reads a list as posted; its signature is checked by `isSigned`.
    public init(payload: [UInt8]) throws(DauysCrypto.CryptoError) {
        guard payload.count > 64 else { throw .invalidEncoding("credential list: too short for its signature") }
        var r = ByteReader(Array(payload.dropLast(64)))
        region = Int(try r.u16("credential region"))
        let p = try r.lengthPrefixed("precinct id", max: 64)
        guard let id = String(bytes: p, encoding: .utf8) else { throw .invalidEncoding("precinct id: not UTF-8") }
        precinct = id
        credentials = try SortedCredentials.read(&r, what: "credential list")
        try r.finish("credential list")
        self.payload = payload
    }

    /// Signed lists of the credentials of each precinct, in manifest order, at most 100,000
    /// credentials each.
    public static func lists(
        _ byPrecinct: [String: [GroupElement<G>]], manifest: Manifest, authority: Curve25519.Signing.PrivateKey,
        base: ElectionHash
    ) throws -> [CredentialList<G>] {
        var out: [CredentialList<G>] = []
        for p in manifest.precinctsInOrder {
            guard let all = byPrecinct[p.precinct] else { continue }
            for s in stride(from: 0, to: all.count, by: 100_000) {
                out.append(
                    try CredentialList(
                        region: p.region, precinct: p.precinct,
                        credentials: Array(all[s..<min(s + 100_000, all.count)]),
                        authority: authority, base: base))
            }
        }
        return out
    }

    public func isSigned(manifest: Manifest, base: ElectionHash) -> Bool {
        RecordAuthority.credentialAuthority.verifies(
            kind: .credentials, payload: payload, manifest: manifest, base: base)
    }
}

/// The number of eligible voters of every precinct, signed by the registry (entry kind 17):
///
///     message = u32(m) ‖ m × (lp(precinct id) ‖ u32(count))   — every precinct of the manifest,
///                                                              once, in manifest order
///     payload = message ‖ σ_registry
public struct EligibleCounts: Sendable, Equatable {
    /// (precinct id, eligible voters), in manifest order.
    public let counts: [PrecinctCount]
    public let payload: [UInt8]

    public struct PrecinctCount: Sendable, Equatable {
        public let precinct: String
        public let count: UInt64
        public init(precinct: String, count: UInt64) {
            self.precinct = precinct
            self.count = count
        }
    }

    /// Signs the counts as the registry.
    public init(counts: [PrecinctCount], registry: Curve25519.Signing.PrivateKey, base: ElectionHash) throws {
        self.counts = counts
        var w = ByteWriter()
        w.u32(UInt32(counts.count))
        for c in counts {
            w.lengthPrefixed(Array(c.precinct.utf8))
            w.u32(UInt32(c.count))
        }
        payload = try RecordAuthority.registry.sign(
            kind: .eligibleCounts, message: w.bytes, key: registry, base: base)
    }

    public init(payload: [UInt8]) throws(DauysCrypto.CryptoError) {
        guard payload.count > 64 else { throw .invalidEncoding("eligible counts: too short for its signature") }
        var r = ByteReader(Array(payload.dropLast(64)))
        let m = Int(try r.u32("precinct count"))
        guard m <= r.remaining / 5 else { throw .invalidEncoding("eligible counts: count larger than the data") }
        var out: [PrecinctCount] = []
        for _ in 0..<m {
            let p = try r.lengthPrefixed("precinct id", max: 64)
            guard let id = String(bytes: p, encoding: .utf8) else { throw .invalidEncoding("precinct id: not UTF-8") }
            out.append(PrecinctCount(precinct: id, count: UInt64(try r.u32("eligible voters"))))
        }
        try r.finish("eligible counts")
        counts = out
        self.payload = payload
    }

    public func isSigned(manifest: Manifest, base: ElectionHash) -> Bool {
        RecordAuthority.registry.verifies(kind: .eligibleCounts, payload: payload, manifest: manifest, base: base)
    }
}

/// Credentials of one precinct whose holders voted on paper there (entry kind 14), signed by
/// the registry, which alone knows whose credential is whose:
///
///     message = lp(precinct id) ‖ u32(n) ‖ n × E(U)   (U strictly increasing, n ≥ 1)
///     payload = message ‖ σ_registry
public struct RevokedCredentials<G: PrimeOrderGroup>: Sendable {
    public let precinct: String
    public let credentials: [GroupElement<G>]
    public let payload: [UInt8]

    /// Signs the revocation as the registry.
    public init(
        precinct: String, credentials: [GroupElement<G>], registry: Curve25519.Signing.PrivateKey, base: ElectionHash
    ) throws {
        self.precinct = precinct
        self.credentials = SortedCredentials.sorted(credentials)
        var w = ByteWriter(capacity: 40 + self.credentials.count * G.elementByteCount)
        w.lengthPrefixed(Array(precinct.utf8))
        SortedCredentials.write(self.credentials, to: &w)
        payload = try RecordAuthority.registry.sign(
            kind: .revokedCredentials, message: w.bytes, key: registry, base: base)
    }

    public init(payload: [UInt8]) throws(DauysCrypto.CryptoError) {
        guard payload.count > 64 else { throw .invalidEncoding("revoked credentials: too short for its signature") }
        var r = ByteReader(Array(payload.dropLast(64)))
        let p = try r.lengthPrefixed("precinct id", max: 64)
        guard let id = String(bytes: p, encoding: .utf8) else { throw .invalidEncoding("precinct id: not UTF-8") }
        precinct = id
        credentials = try SortedCredentials.read(&r, what: "revoked credentials")
        guard !credentials.isEmpty else { throw .invalidEncoding("revoked credentials: an empty list") }
        try r.finish("revoked credentials")
        self.payload = payload
    }

    public func isSigned(manifest: Manifest, base: ElectionHash) -> Bool {
        RecordAuthority.registry.verifies(
            kind: .revokedCredentials, payload: payload, manifest: manifest, base: base)
    }
}

extension Manifest {
    /// Every precinct id with its region, in manifest order.
    public var precinctsInOrder: [(precinct: String, region: Int)] {
        regions.enumerated().flatMap { r, region in region.districts.flatMap { $0.precincts.map { ($0.id, r) } } }
    }
}

/// The credential authority's work (record.md §3.3), on its own machine with its own keys: a
/// credential code for every voter of the registry's export, derived from the authority's
/// secret and the voter's registry number — so a re-run after any interruption gives every
/// voter the very same code, never a second one — and the public credentials of each precinct
/// in lists signed with the authority's key.
public struct CredentialAuthority: Sendable {
    let signingKey: Curve25519.Signing.PrivateKey
    let secret: SymmetricKey

    public init(signingKey: Curve25519.Signing.PrivateKey, secret: [UInt8]) throws {
        guard secret.count == 32 else {
            throw DauysCrypto.CryptoError.invalidParameter("the credential authority's secret must be 32 bytes")
        }
        self.signingKey = signingKey
        self.secret = SymmetricKey(data: secret)
    }

    public var publicKey: Curve25519.Signing.PublicKey { signingKey.publicKey }

    /// code = Crockford base32 of the first 120 bits of
    /// HKDF-SHA256(IKM = secret, salt = h₀, info = "DAUYS-v1 credential code" ‖ u64(voter), L = 15).
    public func code(voter: Int64, base: ElectionHash) -> VoterCredential {
        var info = ByteWriter()
        info.string("DAUYS-v1 credential code")
        info.u64(UInt64(bitPattern: voter))
        let bytes = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: secret, salt: base.bytes, info: info.bytes, outputByteCount: 15
        ).withUnsafeBytes { Array($0) }
        var chars: [Character] = []
        var acc = 0, bits = 0
        for b in bytes {
            acc = (acc << 8) | Int(b)
            bits += 8
            while bits >= 5 {
                bits -= 5
                chars.append(VoterCredential.alphabet[(acc >> bits) & 31])
            }
            acc &= (1 << bits) - 1
        }
        return VoterCredential(uncheckedCode: String(chars))
    }

    /// A voter as the registry exports it to the authority: registry number, region, precinct.
    public struct Voter: Sendable, Codable, Equatable {
        public let id: Int64
        public let region: Int
        public let precinct: String
        public init(id: Int64, region: Int, precinct: String) {
            self.id = id
            self.region = region
            self.precinct = precinct
        }
    }

    /// The signed credential lists of these voters, per precinct in manifest order, at most
    /// 100,000 credentials each.
    public func lists<G: PrimeOrderGroup>(
        _: G.Type, voters: [Voter], manifest: Manifest, base: ElectionHash
    ) throws -> [CredentialList<G>] {
        let regions = manifest.precinctRegions()
        var byPrecinct: [String: [GroupElement<G>]] = [:]
        for v in voters {
            guard regions[v.precinct] == v.region else {
                throw DauysCrypto.CryptoError.invalidParameter(
                    "voter \(v.id): precinct \(v.precinct) is not a precinct of region \(v.region) in the manifest")
            }
            byPrecinct[v.precinct, default: []].append(credential(G.self, voter: v.id, base: base))
        }
        return try CredentialList.lists(byPrecinct, manifest: manifest, authority: signingKey, base: base)
    }

    /// The public credential U of a voter.
    public func credential<G: PrimeOrderGroup>(_: G.Type, voter: Int64, base: ElectionHash) -> GroupElement<G> {
        code(voter: voter, base: base).keyPair(G.self, base: base).publicKey
    }
}
