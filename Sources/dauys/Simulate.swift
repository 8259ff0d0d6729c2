import ArgumentParser
import Crypto
import DauysCrypto
import DauysPaper
import DauysRecord
import DauysReferendum
import DauysStore
import DauysVerifier
import Foundation

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a whole referendum in one process with simulated voters, verify its record, print the results.",
        discussion: """
            Realistic random votes: every region gets its own turnout and yes share. The seed fixes the simulated \
            voters' behaviour only; every cryptographic secret comes from the system's random generator.
            """)

    @Option(help: "Number of registered voters.") var voters = 10_000
    @Option(help: "Number of regions (the first 20 are Kazakhstan's).") var regions = 20
    @Option(help: "Number of trustees.") var trustees = 5
    @Option(help: "Trustees needed to decrypt.") var quorum = 3
    @Option(help: "Trustees absent at decryption (at most trustees − quorum).") var absent = 0
    @Option(name: .customLong("revote-rate"), help: "Fraction of voters who vote twice (the last ballot counts).")
    var revoteRate = 0.05
    @Option(help: "Seed of the simulated voters' behaviour.") var seed: UInt64 = 2026
    @Option(help: "Write the election record to this directory.") var record: String?
    @Option(help: "Group: P-256, modp4096-eg1 or modp4096-eg2.") var group = "P-256"
    @Option(help: "Keep the SQLite board in this directory (default: a temporary one).") var data: String?
    @Flag(help: "Print one JSON summary on standard output.") var json = false
    @Flag(help: "Do not verify the record here; run `dauys verify` on it (needs --record).")
    var skipVerification = false

    func validate() throws {
        guard voters >= 1 && voters <= 100_000_000 else {
            throw ValidationError("--voters must be between 1 and 100,000,000")
        }
        guard regions >= 1 && regions <= 1000 else { throw ValidationError("--regions must be between 1 and 1000") }
        guard quorum >= 1 && quorum <= trustees else {
            throw ValidationError("--quorum must be between 1 and --trustees")
        }
        guard absent >= 0 && absent <= trustees - quorum else {
            throw ValidationError("--absent must be between 0 and trustees − quorum")
        }
        guard revoteRate >= 0 && revoteRate <= 1 else { throw ValidationError("--revote-rate must be between 0 and 1") }
        guard !skipVerification || record != nil else {
            throw ValidationError(
                "--skip-verification needs --record: an unverified record must be kept to be verified")
        }
    }

    func run() async throws {
        let ok: Bool
        switch group {
        case DauysCrypto.P256.name: ok = try await Simulation<DauysCrypto.P256>(options: self).run()
        case ElectionGuardV1.name: ok = try await Simulation<ElectionGuardV1>(options: self).run()
        case ElectionGuardV2.name: ok = try await Simulation<ElectionGuardV2>(options: self).run()
        default: throw ValidationError("unknown group \(group)")
        }
        if !ok { throw ExitCode(1) }
    }
}

/// One simulated voter's ballot: region, voter number in the region, choice, and whether it is
/// the first (`true`) or the second (`false`) of a voter who votes twice. Eight bytes: a national
/// simulation holds about ten million of them.
struct VoteIntent: Sendable {
    let voter: UInt32
    let region: UInt16
    let yes: Bool
    let first: Bool?
}

/// Wall time of each phase of a simulation, as it prints them.
final class PhaseTimer {
    private(set) var timings: [(String, Double)] = []

    func timed<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
        let t0 = Date()
        FileHandle.standardError.write(Data("· \(name) …\n".utf8))
        let r = try await body()
        timings.append((name, Date().timeIntervalSince(t0)))
        return r
    }
}

/// What the conducted referendum left for the comparison with the simulated votes.
struct ConductedReferendum {
    let manifest: Manifest
    let results: Results
    let recordDir: String
    let ballotCount: Int
    let rejected: Int
    let expectedYes: [UInt64], expectedNo: [UInt64]
}

struct Simulation<G: PrimeOrderGroup> {
    let options: Simulate

    func run() async throws -> Bool {
        let o = options
        let clock = PhaseTimer()
        // Without --data the board is a temporary one, removed however the run ends (with the
        // record in it, unless --record put the record elsewhere).
        let dataDir = o.data ?? NSTemporaryDirectory() + "dauys-sim-\(UUID().uuidString)"
        defer { if o.data == nil { try? FileManager.default.removeItem(atPath: dataDir) } }
        // The lifecycle, its board state and the voters' secrets are released here, before the
        // independent verification builds its own state: peak memory is one board state.
        let done = try await conduct(clock, dataDir: dataDir)
        let report: VerificationReport? =
            o.skipVerification
            ? nil
            : await clock.timed("independent verification of the record") {
                await RecordVerifier(directory: done.recordDir).run()
            }
        let (results, manifest) = (done.results, done.manifest)

        // Compare with what the simulated voters chose.
        var matches = done.rejected == 0
        for (ri, reg) in results.regions.enumerated() where reg.unit == manifest.regions[ri].id {
            if reg.totals[0] != [done.expectedYes[ri], done.expectedNo[ri]] { matches = false }
        }
        let q = results.questions[0]
        if q.totals != [done.expectedYes.reduce(0, +), done.expectedNo.reduce(0, +)] { matches = false }

        let timings = clock.timings
        if o.json {
            var summary: [String: Any] = [
                "voters": o.voters, "ballots_cast": done.ballotCount, "results_match_votes": matches,
                "yes": q.totals[0], "no": q.totals[1], "valid": q.valid, "adopted": q.adopted,
                "regions_with_yes_majority": q.regionsWithMajority, "regions_undetermined": q.regionsUndetermined,
                "regions_total": q.regionsTotal,
                "timings_s": Dictionary(uniqueKeysWithValues: timings.map { ($0.0, ($0.1 * 1000).rounded() / 1000) }),
            ]
            if let report {
                summary["ballots_counted"] = report.countedBallots
                summary["valid_record"] = report.valid
                summary["verify_ballots_per_s"] = Double(report.ballots) / max(timings.last!.1, 1e-9)
            }
            if let r = o.record { summary["record"] = r }
            print(
                String(
                    decoding: try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]), as: UTF8.self
                ))
        } else {
            print(ResultsTable.render(results, manifest: manifest))
            print("Timings:")
            for (n, t) in timings {
                print("  \(n.padding(toLength: 66, withPad: " ", startingAt: 0)) \(String(format: "%8.2f s", t))")
            }
            if let report {
                print(
                    "Record: \(done.recordDir) — \(report.entries) board entries, \(report.ballots) ballots, \(report.countedBallots) counted"
                )
                print(
                    "Verification: \(report.valid ? "all checks passed" : "FAILED: " + report.failedChecks.map(\.name).joined(separator: ", "))"
                        + String(format: " (%.0f ballots/s)", Double(report.ballots) / max(report.seconds, 1e-9)))
            } else {
                print("Record: \(done.recordDir) — not verified here; run `dauys verify \(done.recordDir)`")
            }
            print("Decrypted results \(matches ? "match" : "DO NOT match") the simulated votes.")
        }
        return (report?.valid ?? true) && matches
    }

    /// Setup, key ceremony, credentials, voting, tally, decryption, results and record export.
    private func conduct(_ clock: PhaseTimer, dataDir: String) async throws -> ConductedReferendum {
        let o = options
        let signers = (0..<o.trustees).map { _ in Curve25519.Signing.PrivateKey() }
        let eligibility = SimulatedEligibility()
        let manifest = Manifest.kazakhstan2026(
            regions: o.regions, trustees: o.trustees, quorum: o.quorum, group: G.name,
            trusteeKeys: signers.map(\.publicKey), credentialAuthority: eligibility.keys.credentialAuthority,
            registry: eligibility.keys.registry)
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let store = try SQLiteBoardStore(path: dataDir + "/board.sqlite")
        let boardKey = Curve25519.Signing.PrivateKey()
        var rng = SeededRandom(seed: o.seed)

        // Setup and key ceremony (all trustees present; some may be absent at decryption).
        let (ref, ek, keyShares) = try await clock.timed(
            "setup and key ceremony (\(o.trustees) trustees, quorum \(o.quorum))"
        ) {
            () throws -> (Referendum<G>, ElectionKeyRecord<G>, [ElectionKeyShare<G>]) in
            // No tracking-code index: nothing here looks ballots up, so memory stays per voter.
            let ref = try await Referendum<G>.create(
                store: store, manifest: manifest, boardKey: boardKey, clock: .rehearsal(manifest.schedule),
                indexingBallots: false)
            try await ref.advance(to: .keyCeremony)
            let trustees = try (1...o.trustees).map {
                try Trustee<G>.generate(index: $0, threshold: ref.threshold, election: ref.baseHash)
            }
            let (ek, received) = try await runKeyCeremony(ref, trustees) { signers[$0 - 1] }
            let keyShares = try trustees.filter { ek.qualified.contains($0.index) }.map {
                try $0.secretShare(received: received[$0.index] ?? [:], qualified: Set(ek.qualified))
            }
            return (ref, ek, keyShares)
        }

        // Registration: voters per region; the registry's counts, then each region's credentials.
        // Only the voters' secret scalars are kept (32 bytes each); a ballot recomputes the key.
        let weights = (0..<o.regions).map { i in
            i < Manifest.kazakhstanRegions.count ? Manifest.kazakhstanRegions[i].4 : 40
        }
        let totalWeight = weights.reduce(0, +)
        var perRegion = weights.map { o.voters * $0 / totalWeight }
        perRegion[perRegion.count - 1] += o.voters - perRegion.reduce(0, +)
        let base = ref.baseHash
        let secrets: [[Scalar<G>]] = try await clock.timed("credentials for \(o.voters) voters") {
            try await ref.publishEligibleCounts(
                try eligibility.counts(perRegion: perRegion, manifest: manifest, base: base))
            var out: [[Scalar<G>]] = []
            for (r, n) in perRegion.enumerated() {
                let pairs = await parallelMap(0..<n) { _ in VoterCredential.random().keyPair(G.self, base: base) }
                try await eligibility.publish(region: r, pairs.map(\.publicKey), to: ref)
                out.append(pairs.map(\.secret))
            }
            try await ref.advance(to: .credentialsPublished)
            try await ref.advance(to: .votingOpen)
            return out
        }

        // Voting: each region has its own turnout and yes share.
        var firstRound: [VoteIntent] = [], revotes: [VoteIntent] = []
        var expectedYes = [UInt64](repeating: 0, count: o.regions), expectedNo = expectedYes
        for r in 0..<o.regions {
            let turnout = Double.random(in: 0.52...0.86, using: &rng)
            let yesShare = Double.random(in: 0.38...0.88, using: &rng)
            for v in 0..<perRegion[r] where Double.random(in: 0..<1, using: &rng) < turnout {
                let (voter, region) = (UInt32(v), UInt16(r))
                let yes = Double.random(in: 0..<1, using: &rng) < yesShare
                if Double.random(in: 0..<1, using: &rng) < o.revoteRate {
                    let early = Bool.random(using: &rng)
                    firstRound.append(VoteIntent(voter: voter, region: region, yes: early, first: true))
                    revotes.append(VoteIntent(voter: voter, region: region, yes: yes, first: false))
                } else {
                    firstRound.append(VoteIntent(voter: voter, region: region, yes: yes, first: nil))
                }
                if yes { expectedYes[r] += 1 } else { expectedNo[r] += 1 }
            }
        }
        let ballotCount = firstRound.count + revotes.count
        let ctx = ref.ballotContext!
        var rejected = 0
        try await clock.timed("voting: \(ballotCount) ballots encrypted and cast (\(revotes.count) revotes)") {
            for round in [firstRound, revotes] {
                for start in stride(from: 0, to: round.count, by: 2000) {
                    let slice = Array(round[start..<min(start + 2000, round.count)])
                    let ballots = await parallelMap(slice.indices) { i -> [UInt8] in
                        let it = slice[i]
                        let credential = KeyPair(secret: secrets[Int(it.region)][Int(it.voter)])
                        // A revote is its credential's second ballot (record.md §5.4).
                        return try! ctx.encrypt(
                            selections: [it.yes ? [1, 0] : [0, 1]], credential: credential,
                            sequence: it.first == false ? 2 : 1
                        ).bytes
                    }
                    for r in await ref.castBatch(ballots) { if case .failure = r { rejected += 1 } }
                }
            }
            try await ref.advance(to: .closed)
        }

        // Tally and decryption.
        try await clock.timed("homomorphic tally") {
            try await ref.computeTally()
            try await ref.advance(to: .tallied)
        }
        let present = keyShares.dropLast(o.absent)
        let results = try await clock.timed(
            "threshold decryption by \(present.count) of \(o.trustees) trustees, results"
        ) {
            () throws -> Results in
            let labelled = ref.tally!.labelled(manifest)
            for ks in present {
                let shares = await parallelMap(labelled.indices) { i in
                    DecryptionShare.make(
                        keyShare: ks, ciphertext: labelled[i].1, label: labelled[i].0, election: ek.electionHash)
                }
                let d = TrusteeDecryption(trustee: ks.index, shares: shares)
                try await ref.post([try SignedTrusteeMessage(d, key: signers[ks.index - 1], base: ref.baseHash)])
            }
            try await ref.advance(to: .decrypted)
            return try await ref.publishResults()
        }

        let recordDir = o.record ?? dataDir + "/record"
        try await clock.timed("record export") { try await ref.exportRecord(to: recordDir) }
        return ConductedReferendum(
            manifest: manifest, results: results, recordDir: recordDir, ballotCount: ballotCount,
            rejected: rejected, expectedYes: expectedYes, expectedNo: expectedNo)
    }
}

/// Maps over a range on all cores, keeping the order.
func parallelMap<T: Sendable>(_ range: Range<Int>, _ f: @escaping @Sendable (Int) -> T) async -> [T] {
    let n = range.count
    if n == 0 { return [] }
    let chunk = max(1, (n + 63) / 64)
    var out = [T?](repeating: nil, count: n)
    await withTaskGroup(of: (Int, [T]).self) { group in
        for s in stride(from: 0, to: n, by: chunk) {
            group.addTask { (s, (s..<min(s + chunk, n)).map { f(range.lowerBound + $0) }) }
        }
        for await (s, part) in group { for (i, v) in part.enumerated() { out[s + i] = v } }
    }
    return out.map { $0! }
}

/// The whole key ceremony with trustees that all behave (record.md §3.2, §5): every trustee
/// commits, then reveals its key, sends its shares, checks the shares it was sent
/// (acknowledgement), and the ceremony ends. Returns the election key and each trustee's
/// checked shares, by dealer.
func runKeyCeremony<G: PrimeOrderGroup>(
    _ ref: Referendum<G>, _ trustees: [Trustee<G>], signer: (Int) -> Curve25519.Signing.PrivateKey
) async throws -> (ElectionKeyRecord<G>, [Int: [Int: Scalar<G>]]) {
    let base = ref.baseHash
    for t in trustees {
        try await ref.post([
            try SignedTrusteeMessage(TrusteeCommitment(t.publicKey, base: base), key: signer(t.index), base: base)
        ])
    }
    for t in trustees { try await ref.post([try SignedTrusteeMessage(t.publicKey, key: signer(t.index), base: base)]) }
    let pks = Array(ref.state.trusteeKeys.values)
    for t in trustees {
        let shares = try t.shares(for: pks, election: base)
        try await ref.post(try shares.map { try SignedTrusteeMessage($0, key: signer(t.index), base: base) })
    }
    var received: [Int: [Int: Scalar<G>]] = [:]
    for t in trustees {
        let check = ref.state.checkShares(as: t)
        try await ref.post(try check.messages(key: signer(t.index), base: base))
        received[t.index] = check.received
    }
    return (try await ref.finishKeyCeremony(), received)
}
