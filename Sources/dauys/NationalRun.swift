import ArgumentParser
import Crypto
import DauysCrypto
import DauysPaper
import DauysRecord
import DauysReferendum
import DauysStore
import DauysVerifier
import Foundation

/// The national data set through the board (record.md §3.4): every precinct commission
/// registered and reporting turnout six times, every territorial commission posting its
/// region's protocols, a few thousand e-voters (some of whom also voted on paper, revoked
/// with evidence), tally, decryption, the central commission's signed official result, the
/// record exported and verified. Each step is timed.
struct NationalRun {
    var eVoters = 20_000
    var paperAlsoEVoted = 200
    var dataDir: String
    var recordDir: String
    var progress: (String) -> Void = { _ in }

    struct Outcome {
        var timings: [(String, Double)] = []
        var entries = 0
        var official: Results?
        var report: VerificationReport?
        var state: BoardState<DauysCrypto.P256>?
    }

    func run() async throws -> Outcome {
        typealias G = DauysCrypto.P256
        var out = Outcome()
        func timed<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
            progress("· \(name) …")
            let t0 = Date()
            let r = try await body()
            out.timings.append((name, Date().timeIntervalSince(t0)))
            return r
        }
        var (manifest, protocols) = NationalDataset.generate()
        let signers = (0..<3).map { _ in Curve25519.Signing.PrivateKey() }
        let eligibility = SimulatedEligibility()
        let central = Curve25519.Signing.PrivateKey()
        manifest.trustees = TrusteeSetup(
            count: 3, quorum: 2, names: ["Trustee 1", "Trustee 2", "Trustee 3"],
            keys: signers.map { Hex.encode($0.publicKey.rawRepresentation) },
            ceremonyCloses: manifest.trustees.ceremonyCloses)
        manifest.eligibility = EligibilitySetup(
            credentialAuthority: Hex.encode(eligibility.authority.publicKey.rawRepresentation),
            registry: Hex.encode(eligibility.registry.publicKey.rawRepresentation))
        manifest.centralCommission = Hex.encode(central.publicKey.rawRepresentation)
        try manifest.validate()
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let store = try SQLiteBoardStore(path: dataDir + "/board.sqlite")
        let ref = try await Referendum<G>.create(
            store: store, manifest: manifest, boardKey: Curve25519.Signing.PrivateKey(),
            clock: .rehearsal(manifest.schedule))
        let base = ref.baseHash
        let precincts = manifest.precinctsInOrder
        let regionOf = manifest.precinctRegions()

        // Commissions make their own keys; the central commission registers the public keys.
        let precinctKeys = precincts.map { _ in Curve25519.Signing.PrivateKey() }
        let regionKeys = manifest.regions.map { _ in Curve25519.Signing.PrivateKey() }
        try await timed("register \(regionKeys.count + precinctKeys.count) commission keys") {
            var regs: [CommissionRegistration] = []
            for (r, k) in zip(manifest.regions, regionKeys) {
                regs.append(
                    try CommissionRegistration(
                        scope: r.id, name: "Territorial commission \(r.id)", key: k.publicKey, central: central,
                        base: base))
            }
            for (p, k) in zip(precincts, precinctKeys) {
                regs.append(
                    try CommissionRegistration(
                        scope: p.precinct, name: "Precinct commission \(p.precinct)", key: k.publicKey,
                        central: central, base: base))
            }
            for s in stride(from: 0, to: regs.count, by: 2000) {
                try await ref.registerCommissions(Array(regs[s..<min(s + 2000, regs.count)]))
            }
        }

        let keyShares = try await timed("key ceremony (3 trustees, quorum 2)") {
            () throws -> [ElectionKeyShare<G>] in
            try await ref.advance(to: .keyCeremony)
            let trustees = try (1...3).map {
                try Trustee<G>.generate(index: $0, threshold: ref.threshold, election: base)
            }
            let (ek, received) = try await runKeyCeremony(ref, trustees) { signers[$0 - 1] }
            return try trustees.filter { ek.qualified.contains($0.index) }.map {
                try $0.secretShare(received: received[$0.index] ?? [:], qualified: Set(ek.qualified))
            }
        }

        // E-voters: spread over the regions by size, then over each region's precincts.
        let weights = Manifest.kazakhstanRegions.map(\.4)
        var perRegion = weights.map { eVoters * $0 / weights.reduce(0, +) }
        perRegion[perRegion.count - 1] += eVoters - perRegion.reduce(0, +)
        let credentials: [[KeyPair<G>]] = try await timed("credentials for \(eVoters) e-voters") {
            var all: [[KeyPair<G>]] = []
            for n in perRegion {
                all.append(await parallelMap(0..<n) { _ in VoterCredential.random().keyPair(G.self, base: base) })
            }
            try await eligibility.publish(all.map { $0.map(\.publicKey) }, to: ref)
            try await ref.advance(to: .credentialsPublished)
            try await ref.advance(to: .votingOpen)
            return all
        }

        let ctx = ref.ballotContext!
        var rng = SeededRandom(seed: 11)
        var voted: [(region: Int, voter: Int)] = []
        for (r, list) in credentials.enumerated() {
            for v in list.indices where rng.unit() < 0.6 { voted.append((r, v)) }
        }
        try await timed("\(voted.count) e-ballots encrypted and cast") {
            for s in stride(from: 0, to: voted.count, by: 2000) {
                let slice = Array(voted[s..<min(s + 2000, voted.count)])
                let yes = slice.map { _ in rng.unit() < 0.7 }
                let ballots = await parallelMap(slice.indices) { i in
                    try! ctx.encrypt(
                        selections: [yes[i] ? [1, 0] : [0, 1]], credential: credentials[slice[i].region][slice[i].voter]
                    ).bytes
                }
                for r in await ref.castBatch(ballots) {
                    if case .failure(let e) = r { throw CLIError("an e-ballot was refused: \(e)") }
                }
            }
        }

        let reports = NationalDataset.turnout(for: protocols)
        let index = Dictionary(uniqueKeysWithValues: precincts.enumerated().map { ($1.precinct, $0) })
        try await timed("\(reports.count) turnout reports signed by the precinct commissions and posted") {
            for s in stride(from: 0, to: reports.count, by: 6000) {
                let part = Array(reports[s..<min(s + 6000, reports.count)])
                let signed = await parallelMap(part.indices) { i in
                    try! CommissionSigned(part[i], key: precinctKeys[index[part[i].precinct]!], base: base)
                }
                try await ref.submitTurnout(signed)
            }
            try await ref.advance(to: .closed)
        }

        try await timed("\(protocols.count) protocols signed by the territorial commissions and posted") {
            for s in stride(from: 0, to: protocols.count, by: 2000) {
                let part = Array(protocols[s..<min(s + 2000, protocols.count)])
                let signed = await parallelMap(part.indices) { i in
                    try! CommissionSigned(part[i], key: regionKeys[regionOf[part[i].precinct]!], base: base)
                }
                try await ref.submitProtocols(signed)
            }
        }

        // Some e-voters also voted on paper: the registry revokes their e-credentials, per precinct.
        try await timed("\(paperAlsoEVoted) e-voters who also voted on paper revoked") {
            let plan = SimulatedEligibility.byPrecinct(credentials.map { $0.map(\.publicKey) }, manifest: manifest)
            var byPrecinct: [String: [GroupElement<G>]] = [:]
            for (r, v) in voted.prefix(paperAlsoEVoted) {
                let pk = credentials[r][v].publicKey
                let p = plan.first { $0.value.contains(pk) }!.key
                byPrecinct[p, default: []].append(pk)
            }
            try await ref.revoke(
                try byPrecinct.sorted { $0.key < $1.key }.map {
                    try RevokedCredentials(
                        precinct: $0.key, credentials: $0.value, registry: eligibility.registry, base: base)
                })
        }

        try await timed("tally, decryption by 2 of 3 trustees, e-vote results") {
            try await ref.computeTally()
            try await ref.advance(to: .tallied)
            let labelled = ref.tally!.labelled(manifest)
            let ek = ref.electionKey!
            for ks in keyShares.prefix(2) {
                let shares = await parallelMap(labelled.indices) { i in
                    DecryptionShare.make(
                        keyShare: ks, ciphertext: labelled[i].1, label: labelled[i].0, election: ek.electionHash)
                }
                try await ref.post([
                    try SignedTrusteeMessage(
                        TrusteeDecryption(trustee: ks.index, shares: shares), key: signers[ks.index - 1], base: base)
                ])
            }
            try await ref.advance(to: .decrypted)
            try await ref.publishResults()
        }

        out.official = try await timed("official result computed, signed by the central commission, posted") {
            let r = ref.read { $0.computeOfficialResult() }
            try await ref.publishOfficialResult(try SignedOfficialResult(r, central: central, base: base))
            return r
        }
        try await timed("record export") { try await ref.exportRecord(to: recordDir) }
        out.report = await timed("independent verification of the record") {
            await RecordVerifier(directory: recordDir).run()
        }
        out.entries = out.report?.entries ?? 0
        out.state = ref.state
        await store.close()
        return out
    }
}

struct PaperNational: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "national",
        abstract:
            "Run the national data set (10,389 precincts, 12.5 M voters) through the board, certify, export and verify; time each step.",
        discussion: "A measurement, not a test: docs/performance.md. Progress goes to standard error.")
    @Option(help: "Keep the board here (default: a temporary directory, removed afterwards).") var data: String?
    @Option(help: "Write the record here (default: DATA/record).") var record: String?
    @Option(name: .customLong("e-voters")) var eVoters = 20_000
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let dir = data ?? NSTemporaryDirectory() + "dauys-national-\(UUID().uuidString)"
        defer { if data == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let o = try await NationalRun(
            eVoters: eVoters, dataDir: dir, recordDir: record ?? dir + "/record", progress: say
        ).run()
        let valid = o.report?.valid ?? false
        let q = o.official!.questions[0]
        if json {
            let obj: [String: Any] = [
                "entries": o.entries, "valid_record": valid, "adopted": q.adopted, "decided_by": q.decidedBy.rawValue,
                "participants": q.participants, "eligible": q.eligible,
                "timings_s": Dictionary(uniqueKeysWithValues: o.timings.map { ($0.0, ($0.1 * 1000).rounded() / 1000) }),
            ]
            print(
                String(
                    decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
        } else {
            for (n, t) in o.timings {
                print("  \(n.padding(toLength: 80, withPad: " ", startingAt: 0)) \(String(format: "%8.2f s", t))")
            }
            print(
                "\(o.entries) board entries; verification: "
                    + (valid
                        ? "all checks passed" : "FAILED: " + o.report!.failedChecks.map(\.name).joined(separator: ", "))
            )
            print(ResultsTable.render(o.official!, manifest: o.state!.manifest, status: "official result, certified"))
        }
        if !valid { throw ExitCode(1) }
    }
}
