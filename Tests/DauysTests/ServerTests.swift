import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysRegistry
import DauysServer
import DauysStore
import DauysVerifier
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import XCTest

/// The HTTP API end to end: officials drive the lifecycle, voters sign in and cast, observers
/// read; every kind of bad request gets its status and a JSON error.
final class ServerTests: XCTestCase {
    struct World {
        let server: ReferendumService<G>
        let tokens: [String: String]
        let trustees: [Trustee<G>]
        let signers: [Curve25519.Signing.PrivateKey]

        /// The hex payload of a trustee message, signed by `by` (its sender, unless forged).
        func signed(_ kind: EntryKind, _ message: [UInt8], by trustee: Int) throws -> String {
            Hex.encode(
                try SignedTrusteeMessage(
                    kind: kind, message: message, key: signers[trustee - 1], base: server.referendum.baseHash
                ).payload)
        }
        /// The credential authority's and the registry's keys.
        let eligibility: SimulatedEligibility
        let voters: [(iin: String, code: String, credential: KeyPair<G>, region: Int)]
        let dir: String
    }

    static func testConfiguration() -> ServerConfiguration {
        var c = ServerConfiguration()
        c.port = 0
        c.sessionLifetime = 600
        c.failuresPerClientAndIIN = 3
        c.pairLockout = 600
        return c
    }

    static func world(
        _ open: (String) async throws -> BoardStore, configuration: ServerConfiguration = testConfiguration()
    ) async throws -> World {
        let dir = CLI.tempDir()
        let signers = (1...3).map { _ in Curve25519.Signing.PrivateKey() }
        let eligibility = SimulatedEligibility()
        let m = Manifest.kazakhstan2026(
            regions: 2, trustees: 3, quorum: 2, privacyFloor: 1, trusteeKeys: signers.map(\.publicKey),
            credentialAuthority: eligibility.keys.credentialAuthority, registry: eligibility.keys.registry)
        let ref = try await Referendum<G>.create(
            store: try await open(dir), manifest: m, boardKey: .init(), clock: .rehearsal(m.schedule))
        var tokens: [String: String] = [:]
        for role in ["admin", "registrar", "trustee-1", "trustee-2", "trustee-3"] {
            tokens[role] = try OfficialRegistry.add(
                path: dir + "/officials.json", name: "Official \(role)", role: Role(role)!)
        }
        let cipher = try RegistryCipher(masterKey: SecureRandom.bytes(32))
        let registry = try SQLiteRegistry(path: dir + "/registry.sqlite")
        var csv = "iin,full_name,birth_date,region,precinct\n"
        for n in 0..<6 {
            csv +=
                "\(Fixtures.iin(300 + n)),Voter \(n),1885-01-01,\(n < 3 ? "abai" : "akmola"),\(n < 3 ? "abai.d1.p1" : "akmola.d1.p1")\n"
        }
        let (rows, problems) = VoterList.parse(csv: csv, manifest: m)
        XCTAssertTrue(problems.isEmpty)
        _ = try registry.importVoters(rows, cipher: cipher)
        var voters: [(String, String, KeyPair<G>, Int)] = []
        var links: [(Int64, [UInt8])] = [], signIn: [Int64: [UInt8]] = [:]
        for (v, row) in zip(try registry.votersWithoutCredential(), rows) {
            let code = CredentialLetter.newSignInCode()
            signIn[v.id] = cipher.signInHash(code)
            let kp = VoterCredential.random().keyPair(G.self, base: ref.baseHash)
            links.append((v.id, kp.publicKey.bytes))
            voters.append((row.iin.text, code, kp, v.region))
        }
        try registry.recordIssued(links, signIn: signIn)
        let server = ReferendumService(
            referendum: ref, registry: registry, cipher: cipher,
            officials: try OfficialRegistry.load(path: dir + "/officials.json"), configuration: configuration)
        let trustees = try (1...3).map {
            try Trustee<G>.generate(index: $0, threshold: ref.threshold, election: ref.baseHash)
        }
        return World(
            server: server, tokens: tokens, trustees: trustees, signers: signers, eligibility: eligibility,
            voters: voters, dir: dir)
    }

    static func post(
        _ c: some TestClientProtocol, _ path: String, token: String?, _ body: [String: Any]
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let data = try JSONSerialization.data(withJSONObject: body)
        return try await c.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: data)) { r in
            (
                r.status,
                (try? JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: Any]) ?? [:]
            )
        }
    }
    /// A GET with a voter's session: status and JSON body.
    static func get(
        _ c: some TestClientProtocol, _ path: String, token: String?
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await c.execute(uri: path, method: .get, headers: headers) { r in
            (
                r.status,
                (try? JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as? [String: Any]) ?? [:]
            )
        }
    }
    static func get(
        _ c: some TestClientProtocol, _ path: String
    ) async throws -> (HTTPResponse.Status, Data, HTTPFields) {
        try await c.execute(uri: path, method: .get) { r in (r.status, Data(r.body.readableBytesView), r.headers) }
    }
    static func code(_ r: (HTTPResponse.Status, [String: Any])) -> String? {
        (r.1["error"] as? [String: Any])?["code"] as? String
    }

    func testLifecycleOverHTTPWithSQLite() async throws {
        try await lifecycle(try await Self.world { try SQLiteBoardStore(path: $0 + "/board.sqlite") })
    }

    func testSignInIsRateLimitedPerClientAddress() async throws {
        var configuration = Self.testConfiguration()
        configuration.failuresPerClient = 3
        let w = try await Self.world({ try SQLiteBoardStore(path: $0 + "/board.sqlite") }, configuration: configuration)
        defer { try? FileManager.default.removeItem(atPath: w.dir) }
        // A real TCP connection, so the server sees the client's address.
        try await buildApplication(w.server).test(.live) { c in
            for n in 0..<3 {  // three different IINs: no per-IIN lock-out, but the same address
                let r = try await Self.post(
                    c, "/api/v1/sessions", token: nil, ["iin": Fixtures.iin(900 + n), "code": "WRONG-CODE0"])
                XCTAssertEqual(r.0, .unauthorized)
            }
            let v = w.voters[0]
            let r = try await Self.post(c, "/api/v1/sessions", token: nil, ["iin": v.iin, "code": v.code])
            XCTAssertEqual(r.0, .tooManyRequests)
            XCTAssertEqual(Self.code(r), "rate_limited")
        }
    }

    func testLifecycleOverHTTPWithPostgreSQL() async throws {
        guard let url = TestStores.postgresURL else { throw XCTSkip("DAUYS_TEST_POSTGRES_URL is not set") }
        let schema = "s_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        try await lifecycle(
            try await Self.world { _ in try await PostgresBoardStore.connect(url: url, schema: String(schema)) })
    }

    func lifecycle(_ w: World) async throws {
        defer { try? FileManager.default.removeItem(atPath: w.dir) }
        let app = buildApplication(w.server)
        try await app.test(.router) { c in
            let t = w.tokens
            // Roles: nobody, the wrong role, the right one.
            do {
                let r = try await Self.post(c, "/api/v1/phase", token: nil, ["next": "key-ceremony"])
                XCTAssertEqual(r.0, .unauthorized)
            }
            do {
                let r = try await Self.post(c, "/api/v1/phase", token: "dauys_forged", ["next": "key-ceremony"])
                XCTAssertEqual(r.0, .unauthorized)
            }
            do {
                let r = try await Self.post(c, "/api/v1/phase", token: t["registrar"], ["next": "key-ceremony"])
                XCTAssertEqual(r.0, .forbidden)
            }
            do {
                let r = try await Self.post(c, "/api/v1/phase", token: t["admin"], ["next": "voting-open"])
                XCTAssertEqual(r.0, .conflict)
            }
            do {
                let r = try await Self.post(c, "/api/v1/phase", token: t["admin"], ["next": "key-ceremony"])
                XCTAssertEqual(r.0, .ok)
            }

            // Key ceremony: each trustee as itself only.
            do {
                let r = try await Self.post(
                    c, "/api/v1/ceremony/trustee-keys", token: t["trustee-2"],
                    ["payload": try w.signed(.trusteeKey, w.trustees[0].publicKey.payload, by: 1)])
                XCTAssertEqual(r.0, .forbidden)
            }
            do {
                let r = try await Self.post(
                    c, "/api/v1/ceremony/trustee-keys", token: t["admin"],
                    ["payload": try w.signed(.trusteeKey, w.trustees[0].publicKey.payload, by: 1)])
                XCTAssertEqual(r.0, .forbidden)
            }
            // Commitments first; a key revealed before its commitment is refused.
            do {
                let r = try await Self.post(
                    c, "/api/v1/ceremony/trustee-keys", token: t["trustee-1"],
                    ["payload": try w.signed(.trusteeKey, w.trustees[0].publicKey.payload, by: 1)])
                XCTAssertEqual(r.0, .unprocessableContent)
                XCTAssertTrue(
                    (r.1["error"] as? [String: Any])?["message"].map { "\($0)" }?.contains("without committing") == true
                )
            }
            for tr in w.trustees {
                let commitment = TrusteeCommitment(tr.publicKey, base: w.server.referendum.baseHash)
                let r = try await Self.post(
                    c, "/api/v1/ceremony/commitments", token: t["trustee-\(tr.index)"],
                    ["payload": try w.signed(.trusteeCommitment, commitment.payload, by: tr.index)])
                XCTAssertEqual(r.0, .created)
            }
            for tr in w.trustees {
                do {
                    let r = try await Self.post(
                        c, "/api/v1/ceremony/trustee-keys", token: t["trustee-\(tr.index)"],
                        ["payload": try w.signed(.trusteeKey, tr.publicKey.payload, by: tr.index)])
                    XCTAssertEqual(r.0, .created)
                }
            }
            do {
                let r = try await Self.post(
                    c, "/api/v1/ceremony/trustee-keys", token: t["trustee-1"], ["payload": "zz"])
                XCTAssertEqual(r.0, .unprocessableContent)
            }
            let pks = w.trustees.map(\.publicKey)
            for tr in w.trustees {
                let shares = try tr.shares(for: pks, election: w.server.referendum.baseHash)
                do {
                    let r = try await Self.post(
                        c, "/api/v1/ceremony/shares", token: t["trustee-\(tr.index)"],
                        ["payloads": try shares.map { try w.signed(.encryptedShare, $0.payload, by: tr.index) }])
                    XCTAssertEqual(r.0, .created)
                }
            }
            var received: [Int: [Int: Scalar<G>]] = [:]
            for tr in w.trustees {
                let check = w.server.referendum.state.checkShares(as: tr)
                XCTAssertEqual(check.complaints, [])
                received[tr.index] = check.received
                // Only the trustee itself may acknowledge its shares.
                let ack = try w.signed(.shareAcknowledgement, check.acknowledgement.payload, by: tr.index)
                let other = tr.index % w.trustees.count + 1
                let wrong = try await Self.post(
                    c, "/api/v1/ceremony/acknowledgements", token: t["trustee-\(other)"], ["payload": ack])
                XCTAssertEqual(wrong.0, .forbidden)
                let r = try await Self.post(
                    c, "/api/v1/ceremony/acknowledgements", token: t["trustee-\(tr.index)"], ["payload": ack])
                XCTAssertEqual(r.0, .created)
            }
            do {
                let r = try await Self.post(c, "/api/v1/ceremony/finish", token: t["admin"], [:])
                XCTAssertEqual(r.0, .created)
            }
            // Counts signed by the registry, lists signed by the credential authority; the
            // registrar's token hands them over, nobody else's; a list signed by another key is refused.
            let ref = w.server.referendum
            let plan = SimulatedEligibility.byPrecinct(
                [0, 1].map { r in w.voters.filter { $0.region == r }.map(\.credential.publicKey) },
                manifest: ref.manifest)
            let counts = try w.eligibility.counts(plan, manifest: ref.manifest, base: ref.baseHash)
            do {
                let r = try await Self.post(
                    c, "/api/v1/eligible-counts", token: t["admin"], ["payload": Hex.encode(counts.payload)])
                XCTAssertEqual(r.0, .forbidden)
            }
            let lists = try w.eligibility.lists(plan, manifest: ref.manifest, base: ref.baseHash)
            do {
                let early = try await Self.post(
                    c, "/api/v1/credentials", token: t["registrar"], ["payloads": lists.map { Hex.encode($0.payload) }])
                XCTAssertEqual(early.0, .unprocessableContent)
                XCTAssertTrue("\(early.1)".contains("comes before the registry"), "\(early.1)")
                let r = try await Self.post(
                    c, "/api/v1/eligible-counts", token: t["registrar"], ["payload": Hex.encode(counts.payload)])
                XCTAssertEqual(r.0, .created)
            }
            do {
                let forged = try CredentialList(
                    region: lists[0].region, precinct: lists[0].precinct, credentials: lists[0].credentials,
                    authority: w.eligibility.registry, base: ref.baseHash)
                let r = try await Self.post(
                    c, "/api/v1/credentials", token: t["registrar"], ["payloads": [Hex.encode(forged.payload)]])
                XCTAssertEqual(r.0, .unprocessableContent)
                XCTAssertTrue("\(r.1)".contains("is not signed by the credential authority"), "\(r.1)")
            }
            for token in [t["admin"], t["registrar"]] {
                let r = try await Self.post(
                    c, "/api/v1/credentials", token: token, ["payloads": lists.map { Hex.encode($0.payload) }])
                XCTAssertEqual(r.0, token == t["admin"] ? .forbidden : .created)
            }

            // Sign-in before voting is open works; casting does not.
            let v0 = w.voters[0], v3 = w.voters[3]
            let s0 = try await Self.post(c, "/api/v1/sessions", token: nil, ["iin": v0.iin, "code": v0.code])
            XCTAssertEqual(s0.0, .created)
            let session0 = s0.1["token"] as! String
            XCTAssertEqual(s0.1["next_sequence"] as? Int, 1, "no ballot yet: the first is number 1")
            XCTAssertEqual(s0.1["region"] as? String, "abai")
            let ctx = w.server.referendum.ballotContext!
            let ballot0 = try ctx.encrypt(selections: [[1, 0]], credential: v0.credential)
            do {
                let r = try await Self.post(
                    c, "/api/v1/ballots", token: session0, ["ballot": Hex.encode(ballot0.bytes)])
                XCTAssertEqual(Self.code(r), "voting_not_open")
            }
            do {
                let r = try await Self.post(c, "/api/v1/phase", token: t["admin"], ["next": "credentials-published"])
                XCTAssertEqual(r.0, .ok)
            }
            do {
                let r = try await Self.post(c, "/api/v1/phase", token: t["admin"], ["next": "voting-open"])
                XCTAssertEqual(r.0, .ok)
            }

            // Bad sign-ins, then lock-out after 3 failures, which even the right code cannot pass.
            do {
                let r = try await Self.post(c, "/api/v1/sessions", token: nil, ["iin": "123", "code": "x"])
                XCTAssertEqual(r.0, .badRequest)
            }
            do {
                let r = try await Self.post(c, "/api/v1/sessions", token: nil, ["iin": v3.iin])
                XCTAssertEqual(r.0, .badRequest)
            }
            for _ in 0..<3 {
                let r = try await Self.post(c, "/api/v1/sessions", token: nil, ["iin": v3.iin, "code": "WRONG-CODE0"])
                XCTAssertEqual(r.0, .unauthorized)
            }
            do {
                let r = try await Self.post(c, "/api/v1/sessions", token: nil, ["iin": v3.iin, "code": v3.code])
                XCTAssertEqual(r.0, .tooManyRequests)
            }

            // Casting: accepted, idempotent retry, and every kind of refusal.
            let r1 = try await Self.post(c, "/api/v1/ballots", token: session0, ["ballot": Hex.encode(ballot0.bytes)])
            XCTAssertEqual(r1.0, .created)
            XCTAssertEqual(r1.1["tracking_code"] as? String, ballot0.trackingCode.short)
            let r2 = try await Self.post(c, "/api/v1/ballots", token: session0, ["ballot": Hex.encode(ballot0.bytes)])
            XCTAssertEqual(r2.0, .ok)
            XCTAssertEqual(r2.1["entry"] as? Int, r1.1["entry"] as? Int)
            XCTAssertEqual(r2.1["duplicate"] as? Bool, true)
            // The booth asks for the next sequence number before it encrypts (record.md §5.4).
            do {
                let (st, body) = try await Self.get(c, "/api/v1/sessions/sequence", token: session0)
                XCTAssertEqual(st, .ok)
                XCTAssertEqual(body["next_sequence"] as? Int, 2)
                let (anon, _) = try await Self.get(c, "/api/v1/sessions/sequence", token: nil)
                XCTAssertEqual(anon, .unauthorized)
            }
            // The answer is the board's signed receipt (record.md §9.2); the retry gets the same one.
            let signed = try JSONDecoder().decode(
                BallotReceipt.self, from: try JSONSerialization.data(withJSONObject: r1.1))
            XCTAssertNotNil(signed.verified())
            XCTAssertEqual(signed.boardKey, Hex.encode(ref.state.boardKey.rawRepresentation))
            XCTAssertEqual(r2.1["signature"] as? String, signed.signature)
            do {
                let r = try await Self.post(c, "/api/v1/ballots", token: nil, ["ballot": Hex.encode(ballot0.bytes)])
                XCTAssertEqual(r.0, .unauthorized)
            }
            do {
                let r = try await Self.post(
                    c, "/api/v1/ballots", token: "v_forged", ["ballot": Hex.encode(ballot0.bytes)])
                XCTAssertEqual(r.0, .unauthorized)
            }
            do {
                let r = try await Self.post(c, "/api/v1/ballots", token: session0, ["ballot": "0102zz"])
                XCTAssertEqual(Self.code(r), "bad_encoding")
            }
            do {
                let r = try await Self.post(c, "/api/v1/ballots", token: session0, ["ballot": "0102"])
                XCTAssertEqual(Self.code(r), "malformed_ballot")
            }
            do {
                let r = try await Self.post(c, "/api/v1/ballots", token: session0, ["vote": "yes"])
                XCTAssertEqual(Self.code(r), "bad_json")
            }
            do {
                let r = try await Self.post(
                    c, "/api/v1/ballots", token: session0, ["ballot": String(repeating: "00", count: 40_000)])
                XCTAssertEqual(Self.code(r), "too_large")
            }
            // Issue 10: a session casts only with its own voter's credential — not with another
            // voter's code (of this region or another), nor with a made-up one.
            for cred in [w.voters[1].credential, w.voters[4].credential, .generate()] {
                let r = try await Self.post(
                    c, "/api/v1/ballots", token: session0,
                    ["ballot": Hex.encode(try ctx.encrypt(selections: [[1, 0]], credential: cred).bytes)])
                XCTAssertEqual(r.0, .forbidden)
                XCTAssertEqual(Self.code(r), "wrong_credential")
            }
            var forged = try ctx.encrypt(selections: [[0, 1]], credential: v0.credential, sequence: 2).bytes
            forged[forged.count - 3] ^= 1
            do {
                let r = try await Self.post(c, "/api/v1/ballots", token: session0, ["ballot": Hex.encode(forged)])
                XCTAssertEqual(Self.code(r), "invalid_proof")
            }
            let other = BallotContext<G>(
                election: ElectionHash.derive("other", parts: []), publicKey: ctx.key.element, shape: .referendum)
            do {
                let r = try await Self.post(
                    c, "/api/v1/ballots", token: session0,
                    ["ballot": Hex.encode(try other.encrypt(selections: [[1, 0]], credential: v0.credential).bytes)])
                XCTAssertEqual(Self.code(r), "wrong_election")
            }
            // Malformed JSON body.
            let raw = try await c.execute(
                uri: "/api/v1/ballots", method: .post, headers: [.authorization: "Bearer \(session0)"],
                body: ByteBuffer(string: "{not json")
            ) { $0.status }
            XCTAssertEqual(raw, .badRequest)

            // More voters, one revote.
            for v in [w.voters[1], w.voters[2], w.voters[4]] {
                let s =
                    try await Self.post(c, "/api/v1/sessions", token: nil, ["iin": v.iin, "code": v.code]).1["token"]
                    as! String
                do {
                    let r = try await Self.post(
                        c, "/api/v1/ballots", token: s,
                        ["ballot": Hex.encode(try ctx.encrypt(selections: [[0, 1]], credential: v.credential).bytes)])
                    XCTAssertEqual(r.0, .created)
                }
            }
            let revote0 = try ctx.encrypt(selections: [[0, 1]], credential: v0.credential, sequence: 2)
            do {
                let r = try await Self.post(
                    c, "/api/v1/ballots", token: session0, ["ballot": Hex.encode(revote0.bytes)])
                XCTAssertEqual(r.0, .created)
            }
            // A second ballot numbered 2 (made on another device before the revote was cast) is
            // refused: the booth must encrypt afresh with number 3.
            do {
                let stale = try ctx.encrypt(selections: [[1, 0]], credential: v0.credential, sequence: 2)
                let r = try await Self.post(c, "/api/v1/ballots", token: session0, ["ballot": Hex.encode(stale.bytes)])
                XCTAssertEqual(r.0, .conflict)
                XCTAssertEqual(Self.code(r), "out_of_sequence")
                let (_, body) = try await Self.get(c, "/api/v1/sessions/sequence", token: session0)
                XCTAssertEqual(body["next_sequence"] as? Int, 3)
            }

            // Observers: lookup, turnout, board pages (cacheable when full), metrics.
            let (ls, lb, _) = try await Self.get(c, "/api/v1/ballots/\(ballot0.trackingCode.hex)")
            XCTAssertEqual(ls, .ok)
            XCTAssertTrue(String(decoding: lb, as: UTF8.self).contains("\"region\":\"abai\""))
            // The voter sees that the revote replaced the first ballot, and that the revote counts.
            func status(_ b: Ballot<G>) async throws -> [String: Any] {
                let (_, body, _) = try await Self.get(c, "/api/v1/ballots/\(b.trackingCode.hex)")
                return try JSONSerialization.jsonObject(with: body) as! [String: Any]
            }
            // The short code as a voter types it: lower case, without dashes.
            do {
                let typed = ballot0.trackingCode.short.lowercased().replacingOccurrences(of: "-", with: "")
                let (st, body, _) = try await Self.get(c, "/api/v1/ballots/\(typed)")
                XCTAssertEqual(st, .ok)
                let j = try JSONSerialization.jsonObject(with: body) as! [String: Any]
                XCTAssertEqual(j["tracking_digest"] as? String, ballot0.trackingCode.hex)
                XCTAssertEqual(j["status"] as? String, "superseded")
            }
            let first = try await status(ballot0), last = try await status(revote0)
            XCTAssertEqual(first["status"] as? String, "superseded")
            XCTAssertEqual(first["superseded_by"] as? Int, last["entry"] as? Int)
            XCTAssertEqual(first["final"] as? Bool, false)
            XCTAssertEqual(last["status"] as? String, "counted")
            do {
                let r = try await Self.get(c, "/api/v1/ballots/\(String(repeating: "ab", count: 32))")
                XCTAssertEqual(r.0, .notFound)
            }
            let (_, turnout, _) = try await Self.get(c, "/api/v1/turnout")
            let tj = try JSONSerialization.jsonObject(with: turnout) as! [String: Any]
            XCTAssertEqual(tj["voted"] as? Int, 4)
            XCTAssertEqual(tj["eligible"] as? Int, 6)
            let (_, page, headers) = try await Self.get(c, "/api/v1/board?from=0&limit=2")
            XCTAssertEqual(headers[.cacheControl], "public, max-age=31536000, immutable")
            XCTAssertEqual((try JSONSerialization.jsonObject(with: page) as! [String: Any])["next"] as? Int, 2)
            do {
                let r = try await Self.get(c, "/api/v1/board?from=-1")
                XCTAssertEqual(r.0, .badRequest)
            }
            do {
                let r = try await Self.get(c, "/api/v1/board?limit=100000")
                XCTAssertEqual(r.0, .badRequest)
            }
            do {
                let r = try await Self.get(c, "/api/v1/results")
                XCTAssertEqual(r.0, .notFound)
            }

            // Close, tally, decrypt with trustees 1 and 3 (2 absent), publish.
            do {
                let r = try await Self.post(c, "/api/v1/phase", token: t["admin"], ["next": "closed"])
                XCTAssertEqual(r.0, .ok)
            }
            do {
                let r = try await Self.post(
                    c, "/api/v1/ballots", token: session0, ["ballot": Hex.encode(ballot0.bytes)])
                XCTAssertEqual(Self.code(r), "voting_not_open")
            }
            do {
                let r = try await Self.post(c, "/api/v1/tally", token: t["admin"], [:])
                XCTAssertEqual(r.0, .created)
            }
            do {
                let s = try await status(revote0)
                XCTAssertEqual(s["status"] as? String, "counted")
                XCTAssertEqual(s["final"] as? Bool, true)
            }
            do {
                let r = try await Self.post(c, "/api/v1/phase", token: t["admin"], ["next": "tallied"])
                XCTAssertEqual(r.0, .ok)
            }
            let ek = w.server.referendum.electionKey!
            for tr in [w.trustees[0], w.trustees[2]] {
                let ks = try tr.secretShare(received: received[tr.index]!, qualified: Set(ek.qualified))
                let d = TrusteeDecryption(
                    trustee: tr.index,
                    shares: w.server.referendum.tally!.labelled(w.server.referendum.manifest).map {
                        DecryptionShare.make(keyShare: ks, ciphertext: $0.1, label: $0.0, election: ek.electionHash)
                    })
                do {
                    let r = try await Self.post(
                        c, "/api/v1/decryptions", token: t["trustee-2"],
                        ["payload": try w.signed(.decryptionShares, d.payload, by: tr.index)])
                    XCTAssertEqual(r.0, .forbidden)
                }
                do {
                    let r = try await Self.post(
                        c, "/api/v1/decryptions", token: t["trustee-\(tr.index)"],
                        ["payload": try w.signed(.decryptionShares, d.payload, by: tr.index)])
                    XCTAssertEqual(r.0, .created)
                }
            }
            do {
                let r = try await Self.post(c, "/api/v1/phase", token: t["admin"], ["next": "decrypted"])
                XCTAssertEqual(r.0, .ok)
            }
            do {
                let r = try await Self.post(c, "/api/v1/results", token: t["admin"], [:])
                XCTAssertEqual(r.0, .created)
            }
            let (rs, rb, _) = try await Self.get(c, "/api/v1/results")
            XCTAssertEqual(rs, .ok)
            let results = try JSONDecoder().decode(Results.self, from: rb)
            XCTAssertEqual(results.questions[0].totals, [0, 4])

            // The downloaded record verifies.
            let (recStatus, rec, _) = try await Self.get(c, "/api/v1/record")
            XCTAssertEqual(recStatus, .ok)
            try FileManager.default.createDirectory(atPath: w.dir + "/rec", withIntermediateDirectories: true)
            try rec.write(to: URL(fileURLWithPath: w.dir + "/rec/board.bin"))
            let report = await RecordVerifier(directory: w.dir + "/rec").run()
            XCTAssertTrue(report.valid, "\(report.failedChecks)")
            XCTAssertEqual(report.ballots, 5)
        }
    }
}

extension ServerTests {
    /// A service over a ready referendum, with a signed-in session for each region-0 voter
    /// of the setup (sessions opened directly: the registry is not what these tests test).
    static func voterService(
        _ s: ReferendumTests.Setup
    ) async throws -> (service: ReferendumService<G>, tokens: [String]) {
        let service = ReferendumService(
            referendum: s.ref, registry: nil, cipher: nil, officials: OfficialRegistry(entries: []))
        var tokens: [String] = []
        for i in s.credentials[0].indices {
            tokens.append(
                try await service.sessions.open(
                    voter: Int64(i), region: 0, credential: s.credentials[0][i].publicKey.bytes, now: Date()))
        }
        return (service, tokens)
    }
}
