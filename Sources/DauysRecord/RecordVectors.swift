import Crypto
import DauysCrypto
import Foundation

/// Known-answer vectors of the eligibility records (record.md §3.3): a credential authority's
/// codes and public credentials, its signed credential list and the registry's signed counts,
/// from fixed keys. Written by `dauys test-vectors` beside the crypto vectors; an independent
/// implementation reproduces the codes, credentials and messages, and checks the signatures.
public enum RecordVectors {
    public static func generate() throws -> (String, String) {
        typealias G = DauysCrypto.P256
        let base = ElectionHash.derive("kat-election", parts: [Array(G.name.utf8)])
        let secret = TestVectors.bytes32("ca-secret")
        let caKey = try Curve25519.Signing.PrivateKey(rawRepresentation: TestVectors.bytes32("ca-signing-key"))
        let registryKey = try Curve25519.Signing.PrivateKey(
            rawRepresentation: TestVectors.bytes32("registry-signing-key"))
        let ca = try CredentialAuthority(signingKey: caKey, secret: secret)
        let voters: [Int64] = [1, 2, 3]
        let list = try CredentialList<G>(
            region: 0, precinct: "abai.d1.p1", credentials: voters.map { ca.credential(G.self, voter: $0, base: base) },
            authority: caKey, base: base)
        let counts = try EligibleCounts(
            counts: [.init(precinct: "abai.d1.p1", count: 3), .init(precinct: "abai.d1.p2", count: 0)],
            registry: registryKey, base: base)
        // The paper side (record.md §3.4): a registration, a protocol, a turnout report, an official result.
        let central = try Curve25519.Signing.PrivateKey(
            rawRepresentation: TestVectors.bytes32("central-commission-key"))
        let commission = try Curve25519.Signing.PrivateKey(rawRepresentation: TestVectors.bytes32("commission-key"))
        let registration = try CommissionRegistration(
            scope: "abai.d1", name: "Territorial commission abai.d1", key: commission.publicKey, central: central,
            base: base)
        let proto = try CommissionSigned(
            PrecinctProtocol(
                referendum: "kat-referendum", precinct: "abai.d1.p1", version: 1, reason: nil,
                figures: ProtocolFigures(
                    votersOnList: 1000, ballotsReceived: 900, issuedInRoom: 700, issuedMobile: 20, mobileRequests: 25,
                    cancelled: 180, inBoxes: 715, questions: [.init(options: [400, 300], invalid: 10, notCounted: 5)])),
            key: commission, base: base)
        let turnout = try CommissionSigned(
            TurnoutReport(precinct: "abai.d1.p1", time: "10:00", votersOnList: 1000, issued: 120), key: commission,
            base: base)
        let extensionEntry = try VotingExtension(
            scope: "abai.d1.p1", closes: 1_773_590_400_000, reason: "opened an hour late: power cut", central: central,
            base: base)
        // A receipt (record.md §9.2) for a ballot entry, signed by a fixed board key.
        let boardKey = try Curve25519.Signing.PrivateKey(rawRepresentation: TestVectors.bytes32("board-key"))
        let ballotBytes = Array(TestVectors.bytes32("ballot-bytes"))
        let entry = BoardEntry(
            index: 12, time: 1_773_543_600_000, kind: .ballot, payload: ballotBytes,
            previous: Array(TestVectors.bytes32("previous-entry-hash")))
        let receipt = try BallotReceipt(entry: entry, base: base, key: boardKey)
        let receiptVector: [String: Any] = [
            "board_key_seed": Hex.encode(boardKey.rawRepresentation),
            "entry_previous_hash": Hex.encode(TestVectors.bytes32("previous-entry-hash")),
            "entry_payload": Hex.encode(ballotBytes),
            "signed_bytes": Hex.encode(
                BallotReceipt.message(
                    election: base.bytes, entry: entry.index, entryHash: entry.hash,
                    digest: TrackingCode(ballotBytes: ballotBytes).digest, time: entry.time)),
            "receipt": [
                "election": receipt.election, "entry": receipt.entry, "entry_hash": receipt.entryHash,
                "tracking_digest": receipt.trackingDigest, "tracking_code": receipt.trackingCode,
                "time": receipt.time, "board_key": receipt.boardKey, "signature": receipt.signature,
            ],
        ]
        // A witness's cosignature (record.md §9.4) of that entry, and an audited ballot (§5.6).
        let witness = try Curve25519.Signing.PrivateKey(rawRepresentation: TestVectors.bytes32("witness-key"))
        let cosignature = try WitnessCosignature(upTo: entry.index, hash: entry.hash, key: witness, base: base)
        let electionKey = KeyPair<G>(secret: TestVectors.scalar("audit-election-key"))
        let ctx = BallotContext(election: base, publicKey: electionKey.publicKey, shape: .referendum)
        let seed = try BallotSeed(bytes: TestVectors.bytes32("audit-seed"))
        let audited = AuditedBallot(
            ballot: try ctx.encrypt(
                selections: [[0, 1]], credential: KeyPair<G>(secret: TestVectors.scalar("audit-credential")),
                seed: seed, signatureEntropy: TestVectors.bytes32("audit-signature")
            ).bytes, seed: seed, selections: [[0, 1]])
        func signedEntry(_ payload: [UInt8], _ kind: EntryKind, _ who: RecordAuthority) -> [String: String] {
            [
                "message": Hex.encode(payload.dropLast(64)),
                "signed_bytes": Hex.encode(who.signed(kind: kind, message: Array(payload.dropLast(64)), base: base)),
                "payload": Hex.encode(payload),
            ]
        }
        let paper: [String: Any] = [
            "central_commission": [
                "signing_key_seed": Hex.encode(central.rawRepresentation),
                "public_key": Hex.encode(central.publicKey.rawRepresentation),
            ],
            "commission": [
                "signing_key_seed": Hex.encode(commission.rawRepresentation),
                "public_key": Hex.encode(commission.publicKey.rawRepresentation),
            ],
            "commission_key": signedEntry(registration.payload, .commissionKey, .centralCommission),
            "precinct_protocol": signedEntry(proto.payload, .precinctProtocol, .commission),
            "turnout_report": signedEntry(turnout.payload, .turnoutReport, .commission),
            "voting_extension": signedEntry(extensionEntry.payload, .votingExtension, .centralCommission),
        ]
        let auditing: [String: Any] = [
            "witness": [
                "signing_key_seed": Hex.encode(witness.rawRepresentation),
                "public_key": Hex.encode(witness.publicKey.rawRepresentation),
            ],
            "witness_cosignature": signedEntry(cosignature.payload, .witnessCosignature, .witness),
            "audited_ballot": [
                "election_key": electionKey.publicKey.hex, "shape": "referendum (yes, no)",
                "seed": Hex.encode(seed.bytes), "selections": [[0, 1]], "ballot": Hex.encode(audited.ballot),
                "payload": Hex.encode(audited.payload),
            ],
        ]
        let out: [String: Any] = [
            "auditing": auditing,
            "paper": paper,
            "receipt": receiptVector,
            "group": G.name, "base_hash": base.hex,
            "generated_by": "dauys test-vectors (Sources/DauysRecord/RecordVectors.swift)",
            "credential_authority": [
                "secret": Hex.encode(secret), "signing_key_seed": Hex.encode(caKey.rawRepresentation),
                "public_key": Hex.encode(caKey.publicKey.rawRepresentation),
            ],
            "registry": [
                "signing_key_seed": Hex.encode(registryKey.rawRepresentation),
                "public_key": Hex.encode(registryKey.publicKey.rawRepresentation),
            ],
            "credentials": voters.map { v -> [String: Any] in
                let code = ca.code(voter: v, base: base)
                return [
                    "registry_number": v, "code": code.printed,
                    "public_credential": code.keyPair(G.self, base: base).publicKey.hex,
                ]
            },
            "credential_list": [
                "region": 0, "precinct": "abai.d1.p1", "message": Hex.encode(list.payload.dropLast(64)),
                "signed_bytes": Hex.encode(
                    RecordAuthority.credentialAuthority.signed(
                        kind: .credentials, message: Array(list.payload.dropLast(64)), base: base)),
                "payload": Hex.encode(list.payload),
            ],
            "eligible_counts": [
                "message": Hex.encode(counts.payload.dropLast(64)),
                "signed_bytes": Hex.encode(
                    RecordAuthority.registry.signed(
                        kind: .eligibleCounts, message: Array(counts.payload.dropLast(64)), base: base)),
                "payload": Hex.encode(counts.payload),
            ],
        ]
        let data = try JSONSerialization.data(withJSONObject: out, options: [.prettyPrinted, .sortedKeys])
        return ("eligibility-p256.json", String(decoding: data, as: UTF8.self) + "\n")
    }
}
