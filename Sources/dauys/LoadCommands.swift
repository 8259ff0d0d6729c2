import ArgumentParser
import AsyncHTTPClient
import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysRegistry
import DauysServer
import DauysStore
import Foundation
import NIOCore
import NIOHTTP1

/// One test voter of a load test: what the voter's letter would say.
struct TestVoter: Codable {
    let iin: String
    let signinCode: String
    let credential: String
    enum CodingKeys: String, CodingKey { case iin, signinCode = "signin_code", credential }
}

struct LoadtestSetup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest-setup",
        abstract: "Prepare a data directory with N synthetic test voters, open for voting (for load and crash tests).",
        discussion:
            "Writes <data>/test-voters.jsonl (IIN, sign-in code, credential code per voter), <data>/admin.token, trustee key files <data>/trustee-N.json, <data>/registry.key and the central commission's key <data>/central-commission.json. Test IINs are of people born in the 1800s."
    )
    @OptionGroup var d: DataOption
    @Option var voters = 10_000
    @Option var regions = 20
    @Option(name: .customLong("witness"), help: "A witness's public key (hex) for the manifest; repeatable.")
    var witnesses: [String] = []

    func run() async throws {
        _ = try d.requireData()
        let dir = d.dir
        try FileManager.default.createDirectory(
            atPath: dir.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard await !dir.hasBoard() else { throw CLIError("\(dir.path) already holds a referendum") }
        let signers = (1...3).map { _ in Curve25519.Signing.PrivateKey() }
        let eligibility = SimulatedEligibility()
        let central = try AuthorityKeyFile.create(dir.path + "/central-commission.json", role: .centralCommission)
        var m = Manifest.kazakhstan2026(
            regions: regions, districts: 1, precincts: 1, trustees: 3, quorum: 2, privacyFloor: 1,
            trusteeKeys: signers.map(\.publicKey), credentialAuthority: eligibility.keys.credentialAuthority,
            registry: eligibility.keys.registry, centralCommission: central)
        if !witnesses.isEmpty { m.witnesses = witnesses.map { $0.lowercased() } }
        let ref = try await Referendum<DauysCrypto.P256>.create(
            store: try await dir.boardStore(), manifest: m, boardKey: try dir.createBoardKey(),
            clock: try dir.markRehearsal(m.schedule))
        try await ref.advance(to: .keyCeremony)
        let trustees = try (1...3).map {
            try Trustee<DauysCrypto.P256>.generate(index: $0, threshold: ref.threshold, election: ref.baseHash)
        }
        let (_, received) = try await runKeyCeremony(ref, trustees) { signers[$0 - 1] }
        for t in trustees {
            var file = TrusteeKeyFile(
                index: t.index, signingKey: Hex.encode(signers[t.index - 1].rawRepresentation),
                group: DauysCrypto.P256.name,
                referendum: m.id, baseHash: ref.baseHash.hex, secrets: Hex.encode(t.secretBytes))
            for (i, v) in received[t.index] ?? [:] { file.received[String(i)] = v.hex }
            try file.save(dir.path + "/trustee-\(t.index).json")
        }
        // Registry with synthetic voters, spread over the regions.
        let keyHex = Hex.encode(SecureRandom.bytes(32))
        try writeSecret(Data(keyHex.utf8), to: dir.path + "/registry.key")
        let cipher = try RegistryCipher.load(path: dir.path + "/registry.key")
        var csv = "iin,full_name,birth_date,region,precinct\n"
        var serial = 0
        var made = 0
        while made < voters {
            // Born 1 Jan 1850 + (serial / 10000) days, serial within the day: all valid, all distinct.
            let day = serial / 9000, s4 = serial % 9000 + 1000
            let date = Calendar(identifier: .gregorian).date(
                byAdding: .day, value: day,
                to: DateComponents(calendar: Calendar(identifier: .gregorian), year: 1850, month: 1, day: 1).date!)!
            let c = Calendar(identifier: .gregorian).dateComponents([.year, .month, .day], from: date)
            let prefix = String(format: "%02d%02d%02d1%04d", c.year! % 100, c.month!, c.day!, s4)
            serial += 1
            guard let iin = IIN.completing(prefix) else { continue }
            let r = made % regions
            csv +=
                "\(iin.text),Test Voter \(made),\(String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)),\(m.regions[r].id),\(m.regions[r].districts[0].precincts[0].id)\n"
            made += 1
        }
        let (rows, problems) = VoterList.parse(csv: csv, manifest: m)
        guard problems.isEmpty else { throw RegistryError.refused(problems) }
        let registry = try SQLiteRegistry(path: dir.registryPath)
        _ = try registry.importVoters(rows, cipher: cipher)
        var perRegion: [Int: [GroupElement<DauysCrypto.P256>]] = [:]
        var links: [(Int64, [UInt8])] = [], signIn: [Int64: [UInt8]] = [:]
        var lines = ""
        let pending = try registry.votersWithoutCredential()
        for (v, row) in zip(pending, rows) {
            let code = VoterCredential.random()
            let kp = code.keyPair(DauysCrypto.P256.self, base: ref.baseHash)
            let signInCode = CredentialLetter.newSignInCode()
            signIn[v.id] = cipher.signInHash(signInCode)
            links.append((v.id, kp.publicKey.bytes))
            perRegion[v.region, default: []].append(kp.publicKey)
            lines +=
                String(
                    decoding: try JSONEncoder().encode(
                        TestVoter(iin: row.iin.text, signinCode: signInCode, credential: code.printed)), as: UTF8.self)
                + "\n"
        }
        try await eligibility.publish((0..<m.regions.count).map { perRegion[$0] ?? [] }, to: ref)
        try registry.recordIssued(links, signIn: signIn)
        try writeSecret(Data(lines.utf8), to: dir.path + "/test-voters.jsonl")
        try writeSecret(
            Data(
                try OfficialRegistry.add(
                    path: dir.path + "/officials.json", name: "Load-test administrator", role: .admin
                ).utf8), to: dir.path + "/admin.token")
        try await ref.advance(to: .credentialsPublished)
        try await ref.advance(to: .votingOpen)
        print("\(voters) test voters ready in \(dir.path); voting is open")
    }
}

struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Cast real encrypted, signed ballots from test voters against a running server; print one JSON object.",
        discussion:
            "Ballots are encrypted before the timed part; each voter signs in, then the casts run with the given concurrency. Some voters vote twice (the last ballot counts)."
    )
    @Option(help: "Server base URL.") var url = "http://127.0.0.1:8080"
    @Option(name: .customLong("voters-file"), help: "test-voters.jsonl written by loadtest-setup.") var votersFile:
        String
    @Option(help: "How many test voters to use (default: all).") var voters: Int?
    @Option(help: "Requests in flight at once.") var concurrency = 32
    @Option(name: .customLong("revote-rate")) var revoteRate = 0.05
    @Option(help: "Append every acknowledged tracking digest to this file as soon as it is acknowledged.") var receipts:
        String?
    @Option(help: "Times a cast that met no server (502/503/504, connection failure) is sent again.") var retries = 0
    @Flag(help: "Print one JSON object on standard output.") var json = false

    func run() async throws {
        var config = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(30)))
        config.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(concurrency, 8))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        do {
            try await run(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func run(_ client: HTTPClient) async throws {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        func getJSON(_ path: String) async throws -> Data {
            let r = try await client.execute(HTTPClientRequest(url: base + path), timeout: .seconds(30))
            return Data(buffer: try await r.body.collect(upTo: 64 << 20))
        }
        let status = try JSONSerialization.jsonObject(with: try await getJSON("/api/v1/status")) as! [String: Any]
        let manifest = try JSONDecoder().decode(Manifest.self, from: try await getJSON("/api/v1/manifest"))
        guard let eh = status["election_hash"] as? String, let pk = status["public_key"] as? String,
            let bh = status["base_hash"] as? String
        else {
            throw CLIError("the server has no election key yet")
        }
        let ctx = BallotContext<DauysCrypto.P256>(
            election: try ElectionHash(hex: eh), publicKey: try GroupElement(hex: pk), shape: try manifest.ballotShape()
        )
        let base0 = try ElectionHash(hex: bh)
        let every = try String(contentsOfFile: votersFile, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(TestVoter.self, from: Data($0.utf8))
        }
        let all = voters.map { Array(every.prefix($0)) } ?? every
        say("load: signing in \(all.count) voters …")
        let sessions = await signInAll(client: client, base: base, voters: all)
        say("load: encrypting \(all.count) ballots (+ revotes) …")
        let revoters = Int(Double(all.count) * revoteRate)
        let jobs: [(Int, [UInt8])] = await parallelMap(0..<(all.count + revoters)) { i in
            let v = all[i % all.count]
            let cred = try! VoterCredential(typed: v.credential).keyPair(DauysCrypto.P256.self, base: base0)
            let yes = (i * 7919) % 10 < 6
            // Each voter's ballots in sequence from where the board is (record.md §5.4): the
            // revotes (the second pass) come after the first ballots.
            let sequence = (sessions[i % all.count]?.nextSequence ?? 1) + (i >= all.count ? 1 : 0)
            return (
                i % all.count,
                try! ctx.encrypt(selections: [yes ? [1, 0] : [0, 1]], credential: cred, sequence: sequence).bytes
            )
        }
        let receiptHandle: FileHandle? = receipts.map { path in
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)!
        }
        say("load: casting with concurrency \(concurrency) …")
        let t0 = DispatchTime.now().uptimeNanoseconds
        let stats = Stats()
        await withTaskGroup(of: Void.self) { group in
            let next = Counter()
            for _ in 0..<concurrency {
                group.addTask {
                    while let i = await next.take(limit: jobs.count) {
                        let (voter, bytes) = jobs[i]
                        guard let token = sessions[voter]?.token else {
                            await stats.error()
                            continue
                        }
                        var req = HTTPClientRequest(url: base + "/api/v1/ballots")
                        req.method = .POST
                        req.headers.add(name: "Content-Type", value: "application/json")
                        req.headers.add(name: "Authorization", value: "Bearer \(token)")
                        req.body = .bytes(ByteBuffer(string: "{\"ballot\":\"\(Hex.encode(bytes))\"}"))
                        let s = DispatchTime.now().uptimeNanoseconds
                        var attempt = 0
                        while true {
                            // A voter whose cast failed for want of a server presses again: the
                            // same ballot, which the board acknowledges once (an identical retry
                            // gets the first receipt).
                            func again() async -> Bool {
                                guard attempt < retries else { return false }
                                attempt += 1
                                await stats.retried()
                                try? await Task.sleep(for: .milliseconds(min(2000, 50 << min(attempt, 6))))
                                return true
                            }
                            do {
                                let r = try await client.execute(req, timeout: .seconds(30))
                                let body = try await r.body.collect(upTo: 1 << 20)
                                let ms = Double(DispatchTime.now().uptimeNanoseconds - s) / 1e6
                                if r.status == .created || r.status == .ok {
                                    if let h = receiptHandle,
                                        let o = try? JSONSerialization.jsonObject(with: Data(buffer: body))
                                            as? [String: Any], let d = o["tracking_digest"] as? String
                                    {
                                        h.write(Data((d + "\n").utf8))
                                    }
                                    await stats.ok(ms)
                                } else if [502, 503, 504].contains(r.status.code), await again() {
                                    continue
                                } else {
                                    await stats.error()
                                }
                            } catch {
                                if await again() { continue }
                                // A connection failure means the server is gone: after a few, stop.
                                if await stats.connectionFailure() >= 3 * concurrency { await next.stop() }
                            }
                            break
                        }
                    }
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        try? receiptHandle?.synchronize()
        let lat = await stats.latencies.sorted()
        let ack = lat.count
        let errs = await stats.errors
        func pct(_ p: Double) -> Double { lat.isEmpty ? 0 : (percentile(lat, p) * 100).rounded() / 100 }
        let out: [String: Any] = [
            "cast_per_s": (Double(ack) / seconds).rounded(), "p50_ms": pct(0.5), "p99_ms": pct(0.99),
            "acknowledged": ack, "errors": errs, "concurrency": concurrency, "ballots": jobs.count,
            "seconds": (seconds * 1000).rounded() / 1000, "retried": await stats.retries,
        ]
        let text = String(
            decoding: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]), as: UTF8.self)
        if json { print(text) } else { print("load: \(text)") }
    }

    /// Signs every voter in: the session token and the sequence number of the voter's next ballot.
    func signInAll(
        client: HTTPClient, base: String, voters: [TestVoter]
    ) async -> [Int: SignedIn] {
        var sessions: [Int: SignedIn] = [:]
        await withTaskGroup(of: [SignedIn].self) { group in
            let next = Counter()
            for _ in 0..<concurrency {
                group.addTask {
                    var got: [SignedIn] = []
                    while let i = await next.take(limit: voters.count) {
                        var req = HTTPClientRequest(url: base + "/api/v1/sessions")
                        req.method = .POST
                        req.headers.add(name: "Content-Type", value: "application/json")
                        req.body = .bytes(
                            ByteBuffer(
                                data: try! JSONSerialization.data(withJSONObject: [
                                    "iin": voters[i].iin, "code": voters[i].signinCode,
                                ])))
                        let r = try? await client.execute(req, timeout: .seconds(30))
                        let body = try? await r?.body.collect(upTo: 1 << 16)
                        let o = body.flatMap {
                            try? JSONSerialization.jsonObject(with: Data(buffer: $0)) as? [String: Any]
                        }
                        // A voter whose sign-in failed gets no session; their casts count as errors.
                        if let token = o?["token"] as? String {
                            let next = (o?["next_sequence"] as? NSNumber)?.uint32Value ?? 1
                            got.append(SignedIn(voter: i, token: token, nextSequence: next))
                        }
                    }
                    return got
                }
            }
            for await batch in group {
                for s in batch { sessions[s.voter] = s }
            }
        }
        return sessions
    }
}

/// One voter's session, as the server answered the sign-in.
struct SignedIn: Sendable {
    let voter: Int
    let token: String
    let nextSequence: UInt32
}

actor Counter {
    var value = 0
    var stopped = false
    func take(limit: Int) -> Int? {
        guard value < limit, !stopped else { return nil }
        defer { value += 1 }
        return value
    }
    /// Stops handing out work (the server is gone).
    func stop() { stopped = true }
}

actor Stats {
    var latencies: [Double] = []
    var errors = 0
    var connectionFailures = 0
    var retries = 0
    func retried() { retries += 1 }
    func ok(_ ms: Double) {
        latencies.append(ms)
        connectionFailures = 0
    }
    func error() { errors += 1 }
    func connectionFailure() -> Int {
        errors += 1
        connectionFailures += 1
        return connectionFailures
    }
}

/// The value below which a fraction `p` of the sorted, non-empty `values` lie (nearest rank).
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}
