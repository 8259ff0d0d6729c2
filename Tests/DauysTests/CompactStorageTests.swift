import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import XCTest

/// The board state's national-sized tables (issue 14): they must answer exactly as a
/// dictionary would, through growth, and a copy must not see the original's later writes.
final class CompactStorageTests: XCTestCase {
    func key(_ i: Int) -> DigestKey { DigestKey(Array("credential \(i)".utf8)) }

    func testCompactMapAnswersAsADictionaryThroughGrowth() {
        var map = CompactMap<DigestKey, UInt64>()
        var reference: [DigestKey: UInt64] = [:]
        var rng = SystemRandomNumberGenerator()
        // 30,000 keys: the slots grow from 4,096 four times; some keys are set twice.
        for i in 0..<30_000 {
            let k = key(Int.random(in: 0..<25_000, using: &rng))
            map[k] = UInt64(i + 1)
            reference[k] = UInt64(i + 1)
        }
        XCTAssertEqual(map.count, reference.count)
        for i in 0..<26_000 { XCTAssertEqual(map[key(i)], reference[key(i)], "key \(i)") }
        var seen: [DigestKey: UInt64] = [:]
        map.forEach { k, v in seen[k] = v }
        XCTAssertEqual(seen, reference)
    }

    func testACopySharesNothingItCanSee() {
        var a = CompactMap<DigestKey, UInt64>()
        for i in 0..<5_000 { a[key(i)] = 1 }
        var b = a
        b[key(0)] = 2
        b[key(9_999)] = 3
        XCTAssertEqual(a[key(0)], 1)
        XCTAssertNil(a[key(9_999)])
        XCTAssertEqual(a.count, 5_000)
        XCTAssertEqual(b[key(0)], 2)
        XCTAssertEqual(b.count, 5_001)

        var c = ChunkedArray<Int>(repeating: 7, count: 10_000)
        let d = c
        c[9_999] = 8
        c.append(9)
        XCTAssertEqual(d[9_999], 7)
        XCTAssertEqual(d.count, 10_000)
        XCTAssertEqual(c[9_999], 8)
        XCTAssertEqual(c[10_000], 9)
        XCTAssertEqual(c.count, 10_001)
    }

    func testEntrySetCountsEachIndexOnce() {
        var s = EntrySet(bound: 1_000)
        for i: UInt64 in [0, 63, 64, 999, 64] { s.insert(i) }
        XCTAssertEqual(s.count, 4)
        XCTAssertTrue(s.contains(64))
        XCTAssertFalse(s.contains(65))
        XCTAssertFalse(s.contains(5_000))
    }

    /// `dauys simulate` publishes the registry's counts before it makes any credential: the
    /// counts from numbers must be the counts of the credentials as they are then spread.
    func testCountsFromNumbersMatchTheSpreadCredentials() throws {
        let e = SimulatedEligibility()
        let m = Manifest.kazakhstan2026(
            regions: 3, trustees: 3, quorum: 2, group: DauysCrypto.P256.name,
            trusteeKeys: (0..<3).map { _ in Curve25519.Signing.PrivateKey().publicKey },
            credentialAuthority: e.keys.credentialAuthority, registry: e.keys.registry)
        let base = ElectionHash.derive("counts test", parts: [])
        let perRegion = [7, 0, 23]
        let credentials = perRegion.map { n in
            (0..<n).map { _ in GroupElement<DauysCrypto.P256>.base(.randomNonZero()) }
        }
        let plan = SimulatedEligibility.byPrecinct(credentials, manifest: m)
        XCTAssertEqual(
            try e.counts(perRegion: perRegion, manifest: m, base: base).counts,
            try e.counts(plan, manifest: m, base: base).counts)
    }
}
