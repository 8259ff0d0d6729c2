import Foundation
import XCTest

@testable import DauysCrypto

/// Re-computes the committed known-answer vectors through the public API. A failure means an
/// encoding, hash input or proof changed: regenerate with `swift run dauys test-vectors` only
/// together with the matching change to docs/protocol.md.
final class VectorTests: XCTestCase {
    func load(_ name: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/\(name)")
        return try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as! [String: Any]
    }

    func testP256() throws { try check(P256.self, "p256.json") }
    func testElectionGuardV1() throws { try check(ElectionGuardV1.self, "modp4096-eg1.json") }
    func testElectionGuardV2() throws { try check(ElectionGuardV2.self, "modp4096-eg2.json") }

    func check<G: PrimeOrderGroup>(_: G.Type, _ file: String) throws {
        let v = try load(file)
        XCTAssertEqual(v["group"] as? String, G.name)
        let election = try ElectionHash(hex: v["election"] as! String)
        XCTAssertEqual(election, ElectionHash.derive("kat-election", parts: [Array(G.name.utf8)]))

        for m in v["scalar_base_mult"] as! [[String: String]] {
            let k = try Scalar<G>(hex: m["k"]!)
            XCTAssertEqual(GroupElement<G>.base(k).hex, m["kG"], m["name"]!)
            XCTAssertEqual(try GroupElement<G>(hex: m["kG"]!), .base(k))
        }
        XCTAssertEqual(TestVectors.sampleChallenge(G.self, election: election).hex, v["challenge"] as? String)

        let eg = v["elgamal"] as! [String: Any]
        let key = KeyPair<G>(secret: try Scalar(hex: eg["secret"] as! String))
        XCTAssertEqual(key.publicKey.hex, eg["public_key"] as? String)
        let c = Ciphertext.encrypt(
            UInt64(eg["message"] as! Int), nonce: try Scalar(hex: eg["nonce"] as! String), key: FixedBase(key.publicKey)
        )
        XCTAssertEqual(Hex.encode(c.bytes), eg["ciphertext"] as? String)

        let sv = v["schnorr"] as! [String: String]
        let sx = try Scalar<G>(hex: sv["secret"]!)
        let st = try Hex.decode(sv["statement"]!)
        let sp = SchnorrProof.prove(
            secret: sx, publicKey: .base(sx), statement: st, election: election, nonce: try Scalar(hex: sv["nonce"]!))
        XCTAssertEqual(Hex.encode(sp.bytes), sv["proof"])
        XCTAssertTrue(sp.verify(publicKey: .base(sx), statement: st, election: election))

        let cv = v["chaum_pedersen"] as! [String: String]
        let cx = try Scalar<G>(hex: cv["secret"]!)
        let base = try GroupElement<G>(hex: cv["base"]!)
        let cp = ChaumPedersenProof.prove(
            secret: cx, base: base, X: .base(cx), Y: cx * base, statement: try Hex.decode(cv["statement"]!),
            election: election, nonce: try Scalar(hex: cv["nonce"]!))
        XCTAssertEqual(Hex.encode(cp.bytes), cv["proof"])

        try checkKeyCeremony(G.self, v["key_ceremony"] as! [String: Any], election: election)

        for b in v["ballots"] as! [[String: Any]] {
            let name = b["name"] as! String
            let shape = try BallotShape(
                questions: (b["shape"] as! [[Int]]).map {
                    try QuestionShape(options: $0[0], minSelections: $0[1], maxSelections: $0[2])
                })
            let ctx = BallotContext(election: election, publicKey: key.publicKey, shape: shape)
            let cred = KeyPair<G>(secret: try Scalar(hex: b["credential_secret"] as! String))
            XCTAssertEqual(cred.publicKey.hex, b["credential"] as? String)
            let ballot = try ctx.encrypt(
                selections: b["selections"] as! [[Int]], credential: cred,
                sequence: (b["sequence"] as! NSNumber).uint32Value,
                seed: try BallotSeed(bytes: try Hex.decode(b["seed"] as! String)),
                signatureEntropy: try Hex.decode(b["signature_entropy"] as! String))
            XCTAssertEqual(Hex.encode(ballot.bytes), b["ballot"] as? String, name)
            XCTAssertEqual(ballot.trackingCode.hex, b["tracking_code"] as? String, name)
            XCTAssertEqual(ballot.trackingCode.short, b["tracking_code_short"] as? String, name)
            XCTAssertNoThrow(try ctx.decodeAndVerify(try Hex.decode(b["ballot"] as! String)), name)
            XCTAssertEqual(
                Ballot<G>.header(of: try Hex.decode(b["ballot"] as! String))?.sequence,
                (b["sequence"] as! NSNumber).uint32Value, name)
        }
    }

    /// protocol.md §7.2–7.3 from the vector's numbers alone: the commitments, the sealed share,
    /// its opening by Z, and the opening proof.
    func checkKeyCeremony<G: PrimeOrderGroup>(_: G.Type, _ k: [String: Any], election: ElectionHash) throws {
        let dealer = k["dealer"] as! [String: Any], recipient = k["recipient"] as! [String: Any]
        let ds = try (dealer["secrets"] as! [String]).map { try Scalar<G>(hex: $0) }
        let rs = try (recipient["secrets"] as! [String]).map { try Scalar<G>(hex: $0) }
        XCTAssertEqual(
            Hex.encode(ds.dropFirst().flatMap { GroupElement<G>.base($0).bytes }), dealer["commitments"] as? String)
        XCTAssertEqual(GroupElement<G>.base(rs[0]).hex, recipient["encryption_key"] as? String)
        // f_2(3) = a_20 + 3·a_21
        let sigma = ds[1] + Scalar<G>(3) * ds[2]
        XCTAssertEqual(sigma.hex, k["share_value"] as? String)
        let y = try Scalar<G>(hex: k["ephemeral_secret"] as! String)
        let sealed = EncryptedShare<G>.seal(
            share: sigma, from: 2, to: 3, recipientKey: .base(rs[0]), election: election, ephemeralSecret: y)
        XCTAssertEqual(Hex.encode(sealed.ephemeral.bytes + sealed.sealed), k["encrypted_share"] as? String)
        let z = try GroupElement<G>(hex: k["opening_z"] as! String)
        XCTAssertEqual(z, rs[0] * sealed.ephemeral)
        XCTAssertEqual(try sealed.open(shared: z, recipientKey: .base(rs[0]), election: election), sigma)
        let proof = ChaumPedersenProof<G>.prove(
            secret: rs[0], base: sealed.ephemeral, X: .base(rs[0]), Y: z,
            statement: ShareOpening<G>.statement(from: 2, to: 3), election: election,
            nonce: try Scalar(hex: k["opening_nonce"] as! String))
        XCTAssertEqual(Hex.encode(proof.bytes), k["opening_proof"] as? String)
    }
}
