import Crypto
import Foundation

/// Known-answer test vectors: fixed inputs (derived from labels), the outputs Dauys computes
/// from them. Written once by `dauys test-vectors`, committed under Tests/, and re-checked by
/// the test suite through the public API — so any change to an encoding, a hash input or a
/// proof shows up as a failed test and must be reflected in docs/protocol.md.
public enum TestVectors {
    public static func generateAll() throws -> [(String, String)] {
        [
            ("p256.json", try generate(P256.self)),
            ("modp4096-eg1.json", try generate(ElectionGuardV1.self)),
            ("modp4096-eg2.json", try generate(ElectionGuardV2.self)),
        ]
    }

    /// A fixed scalar derived from a label: SHA-512("dauys-kat/" ‖ label) mod q.
    public static func scalar<G: PrimeOrderGroup>(_ label: String, _: G.Type = G.self) -> Scalar<G> {
        Scalar(reducing: Array(SHA512.hash(data: Array("dauys-kat/\(label)".utf8))))
    }
    /// Fixed 32 bytes derived from a label: SHA-256("dauys-kat/" ‖ label).
    public static func bytes32(_ label: String) -> [UInt8] {
        Array(SHA256.hash(data: Array("dauys-kat/\(label)".utf8)))
    }

    /// The transcript recipe used by the "challenge" vector.
    public static func sampleChallenge<G: PrimeOrderGroup>(_: G.Type, election: ElectionHash) -> Scalar<G> {
        var t = Transcript<G>("kat", election: election)
        t.append(GroupElement<G>.generator)
        t.append(Scalar<G>(7))
        t.append(u32: 2026)
        t.append(bytes: Array("Астана".utf8))
        return t.challenge()
    }

    static func generate<G: PrimeOrderGroup>(_: G.Type) throws -> String {
        let election = ElectionHash.derive("kat-election", parts: [Array(G.name.utf8)])
        var out: [String: Any] = [
            "group": G.name, "election": election.hex,
            "generated_by": "dauys test-vectors (Sources/DauysCrypto/TestVectors.swift)",
        ]

        var mults: [[String: String]] = []
        let q1 = Scalar<G>.zero - .one
        for (name, k) in [
            ("one", Scalar<G>.one), ("two", Scalar<G>(2)), ("q-1", q1), ("random", scalar("mult", G.self)),
        ] {
            mults.append(["name": name, "k": k.hex, "kG": GroupElement<G>.base(k).hex])
        }
        out["scalar_base_mult"] = mults
        out["challenge"] = sampleChallenge(G.self, election: election).hex

        let key = KeyPair<G>(secret: scalar("election-key"))
        let nonce: Scalar<G> = scalar("elgamal-nonce")
        out["elgamal"] = [
            "secret": key.secret.hex, "public_key": key.publicKey.hex, "message": 1, "nonce": nonce.hex,
            "ciphertext": Hex.encode(Ciphertext.encrypt(1, nonce: nonce, key: FixedBase(key.publicKey)).bytes),
        ]

        let sx: Scalar<G> = scalar("schnorr-secret"), sw: Scalar<G> = scalar("schnorr-nonce")
        let statement = Array("kat statement".utf8)
        let sp = SchnorrProof.prove(
            secret: sx, publicKey: .base(sx), statement: statement, election: election, nonce: sw)
        out["schnorr"] = [
            "secret": sx.hex, "nonce": sw.hex, "statement": Hex.encode(statement), "proof": Hex.encode(sp.bytes),
        ]

        let base = GroupElement<G>.base(scalar("cp-base"))
        let cx: Scalar<G> = scalar("cp-secret"), cw: Scalar<G> = scalar("cp-nonce")
        let cp = ChaumPedersenProof.prove(
            secret: cx, base: base, X: .base(cx), Y: cx * base, statement: statement,
            election: election, nonce: cw)
        out["chaum_pedersen"] = [
            "secret": cx.hex, "base": base.hex, "nonce": cw.hex, "statement": Hex.encode(statement),
            "proof": Hex.encode(cp.bytes),
        ]

        out["key_ceremony"] = try keyCeremony(G.self, election: election)

        var ballots: [[String: Any]] = []
        // Sequence numbers (protocol.md §6.1): a first ballot, a revote, and one whose four
        // bytes are all non-zero, so that their order is pinned.
        let shapes: [(String, BallotShape, [[Int]], UInt32)] = [
            ("referendum-yes", .referendum, [[1, 0]], 1),
            ("referendum-no", .referendum, [[0, 1]], 2),
            (
                "one-of-three",
                try BallotShape(questions: [try QuestionShape(options: 3, minSelections: 1, maxSelections: 1)]),
                [[0, 0, 1]], 1
            ),
            (
                "up-to-two-of-three-and-yes-no",
                try BallotShape(questions: [
                    try QuestionShape(options: 3, minSelections: 0, maxSelections: 2), .yesNo,
                ]), [[1, 0, 1], [0, 1]], 0x0102_0304
            ),
        ]
        for (name, shape, selections, sequence) in shapes {
            let ctx = BallotContext(election: election, publicKey: key.publicKey, shape: shape)
            let cred = KeyPair<G>(secret: scalar("credential-\(name)"))
            let seed = try BallotSeed(bytes: bytes32("seed-\(name)"))
            let entropy = bytes32("signature-\(name)")
            let b = try ctx.encrypt(
                selections: selections, credential: cred, sequence: sequence, seed: seed, signatureEntropy: entropy)
            ballots.append([
                "name": name,
                "shape": shape.questions.map { [$0.options, $0.minSelections, $0.maxSelections] },
                "credential_secret": cred.secret.hex, "credential": cred.publicKey.hex,
                "seed": Hex.encode(seed.bytes), "signature_entropy": Hex.encode(entropy),
                "selections": selections, "sequence": sequence, "ballot": Hex.encode(b.bytes),
                "tracking_code": b.trackingCode.hex, "tracking_code_short": b.trackingCode.short,
            ])
        }
        out["ballots"] = ballots

        let data = try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Trustee secrets of the "key_ceremony" vector: e_i, then a_i0 … a_i,k−1, from labels.
    static func trustee<G: PrimeOrderGroup>(
        _ i: Int, _: G.Type, threshold: TrusteeThreshold, election: ElectionHash
    ) throws(CryptoError) -> Trustee<G> {
        Trustee(
            index: i, threshold: threshold,
            secrets: try SecretScalars(count: threshold.quorum + 1) { scalar("trustee-\(i)-secret-\($0)") },
            election: election)
    }

    /// Dealer 2 → recipient 3 of 3 trustees, quorum 2 (protocol.md §7.1–7.3): the dealer's public
    /// key, the share f_2(3) sealed with a fixed y, and the recipient's opening (Z = e_3·R and
    /// its Chaum–Pedersen proof with a fixed nonce), as in a complaint. Bound to `election` (h₀).
    static func keyCeremony<G: PrimeOrderGroup>(_: G.Type, election: ElectionHash) throws -> [String: Any] {
        let t = try TrusteeThreshold(trustees: 3, quorum: 2)
        let dealer = try trustee(2, G.self, threshold: t, election: election)
        let recipient = try trustee(3, G.self, threshold: t, election: election)
        let y: Scalar<G> = scalar("dkg-ephemeral"), nonce: Scalar<G> = scalar("dkg-opening-nonce")
        let share = EncryptedShare<G>.seal(
            share: dealer.evaluate(at: 3), from: 2, to: 3, recipientKey: recipient.publicKey.encryptionKey,
            election: election, ephemeralSecret: y)
        let opening = recipient.opening(of: share, election: election, nonce: nonce)
        return [
            "trustees": 3, "quorum": 2,
            "dealer": [
                "index": 2, "secrets": (0...t.quorum).map { dealer.secrets[$0].hex },
                "commitments": Hex.encode(dealer.publicKey.commitments.flatMap(\.bytes)),
                "encryption_key": dealer.publicKey.encryptionKey.hex,
            ],
            "recipient": [
                "index": 3, "secrets": (0...t.quorum).map { recipient.secrets[$0].hex },
                "encryption_key": recipient.publicKey.encryptionKey.hex,
            ],
            "share_value": dealer.evaluate(at: 3).hex, "ephemeral_secret": y.hex,
            "encrypted_share": Hex.encode(share.ephemeral.bytes + share.sealed),
            "opening_nonce": nonce.hex, "opening_z": opening.shared.hex,
            "opening_proof": Hex.encode(opening.proof.bytes),
        ]
    }
}
