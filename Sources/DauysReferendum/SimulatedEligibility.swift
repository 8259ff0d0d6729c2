import Crypto
import DauysCrypto
import DauysRecord

/// The credential authority and the registry of a run in which one process plays every part:
/// `dauys simulate`, the load-test setup and tests. A real referendum keeps the two keys apart
/// from each other and from the board (record.md §3.3).
public struct SimulatedEligibility: Sendable {
    public let authority: Curve25519.Signing.PrivateKey
    public let registry: Curve25519.Signing.PrivateKey

    public init() {
        authority = Curve25519.Signing.PrivateKey()
        registry = Curve25519.Signing.PrivateKey()
    }

    /// Manifest keys for `Manifest.kazakhstan2026(credentialAuthority:registry:)`.
    public var keys: (credentialAuthority: Curve25519.Signing.PublicKey, registry: Curve25519.Signing.PublicKey) {
        (authority.publicKey, registry.publicKey)
    }

    /// The credentials of each region (`credentials[r]` for region r) spread over the region's
    /// precincts in turn.
    public static func byPrecinct<G: PrimeOrderGroup>(
        _ credentials: [[GroupElement<G>]], manifest m: Manifest
    ) -> [String: [GroupElement<G>]] {
        var out: [String: [GroupElement<G>]] = [:]
        for (r, list) in credentials.enumerated() {
            let precincts = m.regions[r].districts.flatMap { $0.precincts.map(\.id) }
            for (j, c) in list.enumerated() { out[precincts[j % precincts.count], default: []].append(c) }
        }
        return out
    }

    /// The registry's signed counts: every precinct of the manifest with its number of voters.
    public func counts<G: PrimeOrderGroup>(
        _ byPrecinct: [String: [GroupElement<G>]], manifest m: Manifest, base: ElectionHash
    ) throws -> EligibleCounts {
        try EligibleCounts(
            counts: m.precinctsInOrder.map {
                .init(precinct: $0.precinct, count: UInt64(byPrecinct[$0.precinct]?.count ?? 0))
            }, registry: registry, base: base)
    }

    /// The authority's signed lists, per precinct in manifest order, at most 100,000 each.
    public func lists<G: PrimeOrderGroup>(
        _ byPrecinct: [String: [GroupElement<G>]], manifest m: Manifest, base: ElectionHash
    ) throws -> [CredentialList<G>] {
        try CredentialList.lists(byPrecinct, manifest: m, authority: authority, base: base)
    }

    /// The registry's signed counts for `perRegion[r]` voters in region r, spread over the
    /// region's precincts as `byPrecinct` spreads credentials (the j-th to precinct j mod n).
    public func counts(perRegion: [Int], manifest m: Manifest, base: ElectionHash) throws -> EligibleCounts {
        var byPrecinct: [String: Int] = [:]
        for (r, n) in perRegion.enumerated() {
            let precincts = m.regions[r].districts.flatMap { $0.precincts.map(\.id) }
            for (k, p) in precincts.enumerated() {
                byPrecinct[p] = n / precincts.count + (k < n % precincts.count ? 1 : 0)
            }
        }
        return try EligibleCounts(
            counts: m.precinctsInOrder.map {
                .init(precinct: $0.precinct, count: UInt64(byPrecinct[$0.precinct] ?? 0))
            },
            registry: registry, base: base)
    }

    /// Publishes the authority's signed lists of one region's credentials (after the counts).
    public func publish<G: PrimeOrderGroup>(
        region r: Int, _ credentials: [GroupElement<G>], to ref: Referendum<G>
    ) async throws {
        var all = [[GroupElement<G>]](repeating: [], count: ref.manifest.regions.count)
        all[r] = credentials
        let plan = Self.byPrecinct(all, manifest: ref.manifest)
        try await ref.publishCredentials(try lists(plan, manifest: ref.manifest, base: ref.baseHash))
    }

    /// Publishes the registry's signed counts, then the authority's signed lists.
    public func publish<G: PrimeOrderGroup>(_ credentials: [[GroupElement<G>]], to ref: Referendum<G>) async throws {
        let plan = Self.byPrecinct(credentials, manifest: ref.manifest)
        try await ref.publishEligibleCounts(try counts(plan, manifest: ref.manifest, base: ref.baseHash))
        try await ref.publishCredentials(try lists(plan, manifest: ref.manifest, base: ref.baseHash))
    }
}
