import XCTest

@testable import DauysCrypto

final class ThresholdTests: XCTestCase {
    let election = ElectionHash.derive("threshold-tests", parts: [])

    /// Runs an honest ceremony and returns the trustees, public keys and key shares.
    func ceremony<G: PrimeOrderGroup>(
        _: G.Type, n: Int, k: Int
    ) throws
        -> (TrusteeThreshold, [Trustee<G>], [Int: TrusteePublicKey<G>], [ElectionKeyShare<G>], GroupElement<G>)
    {
        let t = try TrusteeThreshold(trustees: n, quorum: k)
        let trustees = try (1...n).map { try Trustee<G>.generate(index: $0, threshold: t, election: election) }
        let pks = Self.byIndex(trustees)
        for pk in pks.values { XCTAssertNoThrow(try pk.verify(threshold: t, election: election)) }
        let allShares = try trustees.flatMap { try $0.shares(for: Array(pks.values), election: election) }
        XCTAssertEqual(allShares.count, n * (n - 1))
        var keyShares: [ElectionKeyShare<G>] = []
        var checks: [ShareCheck<G>] = []
        for tr in trustees {
            let check = tr.checkShares(allShares, publicKeys: pks, election: election)
            XCTAssertEqual(check.received.count, n - 1)
            XCTAssertEqual(check.complaints, [])
            XCTAssertEqual(check.acknowledgement.dealers, (1...n).filter { $0 != tr.index })
            checks.append(check)
        }
        let qualified = KeyCeremony.qualified(
            publicKeys: pks, acknowledged: Set(1...n), complaints: [], reveals: [], threshold: t)
        XCTAssertEqual(qualified, Set(1...n))
        for (tr, check) in zip(trustees, checks) {
            keyShares.append(try tr.secretShare(received: check.received, qualified: qualified))
        }
        let K = KeyCeremony.jointKey(publicKeys: pks, qualified: qualified)
        for ks in keyShares {
            XCTAssertEqual(
                ks.verificationKey, KeyCeremony.verificationKey(for: ks.index, publicKeys: pks, qualified: qualified))
        }
        return (t, trustees, pks, keyShares, K)
    }

    static func byIndex<G>(_ trustees: [Trustee<G>]) -> [Int: TrusteePublicKey<G>] {
        Dictionary(uniqueKeysWithValues: trustees.map { ($0.index, $0.publicKey) })
    }

    func testDecryptionWithEveryQuorumSubset() throws {
        let (t, _, pks, keyShares, K) = try ceremony(P256.self, n: 5, k: 3)
        let fk = FixedBase(K)
        var tally = Ciphertext<P256>.zero
        for i in 0..<37 { tally = tally + .encrypt(UInt64(i % 3 == 0 ? 1 : 0), nonce: .randomNonZero(), key: fk) }
        let label = Array("region 1 / yes".utf8)
        let shares = keyShares.map {
            DecryptionShare.make(keyShare: $0, ciphertext: tally, label: label, election: election)
        }
        let qualified = Set(1...5)
        for s in shares {
            let vk = KeyCeremony.verificationKey(for: s.trustee, publicKeys: pks, qualified: qualified)
            XCTAssertTrue(s.verify(ciphertext: tally, verificationKey: vk, label: label, election: election))
            XCTAssertFalse(
                s.verify(
                    ciphertext: tally, verificationKey: vk, label: Array("region 2 / yes".utf8), election: election))
        }
        // Every 3-subset (two trustees absent) and the full set give the same count.
        let subsets = [[0, 1, 2], [0, 1, 4], [1, 3, 4], [2, 3, 4], [0, 2, 4], [0, 1, 2, 3, 4]]
        for sub in subsets {
            let m = try ThresholdDecryption.combine(sub.map { shares[$0] }, ciphertext: tally, quorum: t.quorum)
            XCTAssertEqual(try DiscreteLog<P256>.shared.solve(m, bound: 100), 13)
        }
        XCTAssertThrowsError(try ThresholdDecryption.combine([shares[0], shares[1]], ciphertext: tally, quorum: 3))
        XCTAssertThrowsError(
            try ThresholdDecryption.combine([shares[0], shares[0], shares[1]], ciphertext: tally, quorum: 3))
        // A wrong share (not s·α) fails its proof.
        let wrong = DecryptionShare(trustee: 1, share: shares[0].share + .generator, proof: shares[0].proof)
        let vk1 = KeyCeremony.verificationKey(for: 1, publicKeys: pks, qualified: qualified)
        XCTAssertFalse(wrong.verify(ciphertext: tally, verificationKey: vk1, label: label, election: election))
    }

    func testIntegerGroupCeremony() throws {
        let (t, _, _, keyShares, K) = try ceremony(ElectionGuardV2.self, n: 3, k: 2)
        let c = Ciphertext.encrypt(5, nonce: .randomNonZero(), key: FixedBase(K))
        let shares = [keyShares[0], keyShares[2]].map {
            DecryptionShare.make(keyShare: $0, ciphertext: c, label: [], election: election)
        }
        let m = try ThresholdDecryption.combine(shares, ciphertext: c, quorum: t.quorum)
        XCTAssertEqual(m, GroupElement<ElectionGuardV2>.base(Scalar(5)))
    }

    /// protocol.md §7.3: a complaint about a bad share proves itself with the opening Z = e·R;
    /// one about a good share, or with a forged opening, is not founded.
    func testComplaintsProveThemselves() throws {
        let t = try TrusteeThreshold(trustees: 3, quorum: 2)
        let trustees = try (1...3).map { try Trustee<P256>.generate(index: $0, threshold: t, election: election) }
        let pks = Self.byIndex(trustees)
        let good = try trustees[1].shares(for: Array(pks.values), election: election).first { $0.to == 3 }!
        let garbage = EncryptedShare<P256>.seal(
            share: .random(), from: 2, to: 3, recipientKey: pks[3]!.encryptionKey, election: election)
        let tampered = EncryptedShare(from: 2, to: 3, ephemeral: good.ephemeral, sealed: good.sealed.map { $0 ^ 1 })
        let me = trustees[2]
        func founded(_ c: ShareComplaint<P256>, _ s: EncryptedShare<P256>?) -> Bool {
            c.isFounded(share: s, dealer: pks[2]!, complainant: pks[3]!, election: election)
        }
        for bad in [garbage, tampered] {
            let check = me.checkShares([bad], publicKeys: pks, election: election)
            // Trustee 1 sent nothing: a complaint about a missing share; trustee 2's is bad.
            XCTAssertEqual(check.missing, [1])
            let c = try XCTUnwrap(check.complaints.first { $0.against == 2 })
            XCTAssertNotNil(c.evidence)
            XCTAssertTrue(founded(c, bad))
            XCTAssertEqual(check.acknowledgement.dealers, [])
            // The same opening does not make the good share look bad.
            XCTAssertFalse(founded(c, good))
        }
        // A true opening of a good share: the complaint is unfounded.
        let honest = ShareComplaint(from: 3, against: 2, evidence: me.opening(of: good, election: election))
        XCTAssertFalse(founded(honest, good))
        // An opening that is not e·R (any Z, with a proof for another statement) is refused.
        let forged = ShareComplaint(
            from: 3, against: 2,
            evidence: ShareOpening(
                shared: .base(.random()),
                proof: .prove(
                    secret: .random(), base: good.ephemeral, X: pks[3]!.encryptionKey, Y: .generator, statement: [],
                    election: election)))
        XCTAssertFalse(founded(forged, garbage))
        // "Missing" holds only while there is no share.
        XCTAssertTrue(founded(ShareComplaint(from: 3, against: 2), nil))
        XCTAssertFalse(founded(ShareComplaint(from: 3, against: 2), good))
    }

    func testQualifiedSet() throws {
        let t = try TrusteeThreshold(trustees: 3, quorum: 2)
        let trustees = try (1...3).map { try Trustee<P256>.generate(index: $0, threshold: t, election: election) }
        let pks = Self.byIndex(trustees)
        func q(_ acked: Set<Int>, _ cs: [ShareComplaint<P256>], _ rs: [ShareReveal<P256>]) -> Set<Int> {
            KeyCeremony.qualified(publicKeys: pks, acknowledged: acked, complaints: cs, reveals: rs, threshold: t)
        }
        let missing = ShareComplaint<P256>(from: 3, against: 2)
        // Answered with the true share: trustee 2 stays; trustee 3 uses the revealed value.
        let reveal = trustees[1].reveal(to: 3)
        XCTAssertEqual(q([1, 2, 3], [missing], [reveal]), [1, 2, 3])
        XCTAssertEqual(trustees[2].acceptReveal(reveal, from: pks[2]!), reveal.share)
        // Not answered, or answered wrongly: trustee 2 is disqualified, the others go on.
        let lie = ShareReveal<P256>(from: 2, to: 3, share: .random())
        XCTAssertNil(trustees[2].acceptReveal(lie, from: pks[2]!))
        XCTAssertEqual(q([1, 2, 3], [missing], []), [1, 3])
        XCTAssertEqual(q([1, 2, 3], [missing], [lie]), [1, 3])
        // A trustee that never acknowledged its shares is not qualified.
        XCTAssertEqual(q([1, 2], [], []), [1, 2])
        // As many complaints as the quorum disqualify, answered or not.
        let other = ShareComplaint<P256>(from: 1, against: 2)
        XCTAssertEqual(q([1, 2, 3], [missing, other], [reveal, trustees[1].reveal(to: 1)]), [1, 3])
        // With trustee 2 out, trustees 1 and 3 still hold a working 2-of-2 key.
        let q1: Set<Int> = [1, 3]
        var shares: [ElectionKeyShare<P256>] = []
        for me in [0, 2] {
            var received: [Int: Scalar<P256>] = [:]
            for other in [0, 2] where other != me {
                let s = try trustees[other].shares(for: Array(pks.values), election: election).first {
                    $0.to == me + 1
                }!
                received[other + 1] = trustees[me].receive(s, from: pks[other + 1]!, election: election)
            }
            shares.append(try trustees[me].secretShare(received: received, qualified: q1))
        }
        let K = KeyCeremony.jointKey(publicKeys: pks, qualified: q1)
        let c = Ciphertext.encrypt(1, nonce: .randomNonZero(), key: FixedBase(K))
        let ds = shares.map { DecryptionShare.make(keyShare: $0, ciphertext: c, label: [], election: election) }
        XCTAssertEqual(try ThresholdDecryption.combine(ds, ciphertext: c, quorum: 2), .generator)
    }

    func testBadPublicKeysAreRefused() throws {
        let t = try TrusteeThreshold(trustees: 3, quorum: 2)
        let tr = try Trustee<P256>.generate(index: 1, threshold: t, election: election)
        let pk = tr.publicKey
        XCTAssertThrowsError(try pk.verify(threshold: t, election: ElectionHash.derive("x", parts: [])))
        let swapped = TrusteePublicKey(
            index: 1, encryptionKey: pk.encryptionKey, encryptionKeyProof: pk.encryptionKeyProof,
            commitments: pk.commitments.reversed(), commitmentProofs: pk.commitmentProofs)
        XCTAssertThrowsError(try swapped.verify(threshold: t, election: election))
        let short = TrusteePublicKey(
            index: 1, encryptionKey: pk.encryptionKey, encryptionKeyProof: pk.encryptionKeyProof,
            commitments: [pk.commitments[0]], commitmentProofs: [pk.commitmentProofs[0]])
        XCTAssertThrowsError(try short.verify(threshold: t, election: election))
        XCTAssertThrowsError(try TrusteeThreshold(trustees: 2, quorum: 3))
        XCTAssertThrowsError(try Trustee<P256>.generate(index: 4, threshold: t, election: election))
        // Key files round-trip.
        let restored = try Trustee<P256>(secretBytes: tr.secretBytes, election: election)
        XCTAssertEqual(restored.publicKey.commitments, pk.commitments)
        XCTAssertThrowsError(try Trustee<P256>(secretBytes: tr.secretBytes + [0], election: election))
    }
}
