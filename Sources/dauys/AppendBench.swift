import ArgumentParser
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysStore
import Foundation

/// The serial part of casting, measured alone (docs/performance.md, "Many front ends"): every
/// front end verifies ballots in parallel, but appends to the one board take turns. This
/// verifies ballots first (timed apart), then commits them from one caller in groups of B —
/// the board's rules under the writer lock, chaining, one durable append (with the store's
/// lock and chain-link check on PostgreSQL), the receipts' signatures — so that ballots per
/// commit ÷ commit latency is the board's ceiling however many front ends verify.
struct AppendBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Measure committing pre-verified ballots to the board (the serial part of casting); prints JSON.",
        discussion:
            "Needs a data directory from `dauys loadtest-setup` (voting open); casts real ballots of its test voters (later rounds are revotes)."
    )
    @OptionGroup var d: DataOption
    @Option(help: "Ballots committed per group size.") var ballots = 10_000
    @Option(name: .customLong("group"), help: "Ballots per commit; repeatable (default 1, 16, 128).")
    var groups: [Int] = []

    func validate() throws {
        guard ballots > 0 else { throw ValidationError("--ballots must be positive") }
        guard groups.allSatisfy({ $0 > 0 }) else { throw ValidationError("--group must be positive") }
    }

    func run() async throws {
        let data = try d.requireData()
        let sizes = groups.isEmpty ? [1, 16, 128] : groups
        let ref = try await d.dir.open(DauysCrypto.P256.self)
        guard ref.phase == .votingOpen, let ctx = ref.read({ $0.ballotContext }) else {
            throw CLIError("voting is not open on this board (run `dauys loadtest-setup` first)")
        }
        let voters = try String(contentsOfFile: data + "/test-voters.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(TestVoter.self, from: Data($0.utf8)) }
        guard !voters.isEmpty else { throw CLIError("\(data)/test-voters.jsonl lists no voter") }
        let base = ref.baseHash
        let credentials = await parallelMap(0..<voters.count) {
            try! VoterCredential(typed: voters[$0].credential).keyPair(DauysCrypto.P256.self, base: base)
        }
        let total = ballots * sizes.count
        // Each voter's ballots in sequence from where the board is (record.md §5.4).
        let firstSequence = ref.read { s in credentials.map { s.nextSequence(credential: $0.publicKey.bytes) ?? 1 } }
        say("bench append: encrypting \(total) ballots …")
        let all = await parallelMap(0..<total) { i in
            let v = i % voters.count
            return try! ctx.encrypt(
                selections: [i % 3 == 0 ? [0, 1] : [1, 0]], credential: credentials[v],
                sequence: firstSequence[v] + UInt32(i / voters.count)
            ).bytes
        }
        // Verification, as every front end does it (in parallel, outside the writer lock).
        let verified = min(total, voters.count, 4000)
        let t0 = ContinuousClock.now
        let refused = await parallelMap(0..<verified) { i -> Bool in
            guard case .verified? = try? ref.prepare(all[i]) else { return true }
            return false
        }
        let verifySeconds = (ContinuousClock.now - t0).seconds
        guard !refused.contains(true) else { throw CLIError("a ballot was refused before it was committed") }

        var runs: [[String: Any]] = []
        for (n, size) in sizes.enumerated() {
            let mine = all[(n * ballots)..<((n + 1) * ballots)]
            var latencies: [Double] = []
            let start = ContinuousClock.now
            for s in stride(from: mine.startIndex, to: mine.endIndex, by: size) {
                let group = mine[s..<min(s + size, mine.endIndex)].map {
                    Referendum<DauysCrypto.P256>.CastItem(bytes: $0, region: nil)
                }
                let t = ContinuousClock.now
                for r in await ref.commit(group) {
                    if case .failure(let e) = r { throw CLIError("a commit failed: \(e)") }
                }
                latencies.append((ContinuousClock.now - t).seconds * 1000)
            }
            let seconds = (ContinuousClock.now - start).seconds
            latencies.sort()
            let run: [String: Any] = [
                "ballots_per_commit": size, "ballots": ballots, "seconds": rounded(seconds, 3),
                "ballots_per_s": rounded(Double(ballots) / seconds),
                "commits_per_s": rounded(Double(latencies.count) / seconds),
                "commit_ms_p50": rounded(percentile(latencies, 0.5), 2),
                "commit_ms_p99": rounded(percentile(latencies, 0.99), 2),
            ]
            say(
                "bench append: \(size) per commit: \(run["ballots_per_s"]!) ballots/s, commit p50 \(run["commit_ms_p50"]!) ms"
            )
            runs.append(run)
        }
        let report: [String: Any] = [
            "store": d.dir.boardURL == nil ? "sqlite" : "postgresql",
            "verify_ballots_per_s": rounded(Double(verified) / verifySeconds),
            "cores": ProcessInfo.processInfo.activeProcessorCount, "runs": runs,
        ]
        let text = String(
            decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self)
        print(text)
    }
}

private func rounded(_ x: Double, _ places: Double = 1) -> Double {
    let f = Foundation.pow(10, places)
    return (x * f).rounded() / f
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
