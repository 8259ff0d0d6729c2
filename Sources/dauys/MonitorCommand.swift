import ArgumentParser
import DauysCrypto
import DauysRecord
import DauysStore
import DauysVerifier
import Foundation

/// An observer's monitor (record.md §9.3): follows a running board page by page, verifies each
/// entry as it arrives, keeps a local copy of everything verified and every checkpoint, and
/// raises an alarm — exit 1, naming the entry — on a fork, a rewrite, or any entry that breaks
/// a rule of the board.
struct Monitor: AsyncParsableCommand, GroupCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a running board, verify it as it grows, and alarm on a fork, rewrite or invalid entry.",
        discussion: """
            The local copy (OUT/board.bin) holds only verified entries; OUT/checkpoints/ every checkpoint \
            seen, for `dauys verify --checkpoint`. A re-run resumes from the copy. Exit 0 when the board is \
            published (after the tally and results are checked) or, with --once, when caught up; exit 1 \
            on an alarm, whose evidence is kept in OUT/alarm.json.
            """)
    @Option(help: "The server's base URL (http://host:port).") var server: String
    @Option(help: "Directory of the local copy.") var out: String
    @Option(name: .customLong("board-key"), help: "The board key (hex) you expect: alarms on a re-keyed board.")
    var boardKey: String?
    @Option(help: "Seconds between polls once caught up.") var poll = 1.0
    @Flag(help: "Stop (exit 0) once caught up with the board.") var once = false
    @Option(
        name: .customLong("exit-when-idle"),
        help: "Stop (exit 0) once caught up and the board has not grown for this many seconds.")
    var exitWhenIdle: Double?
    @Flag(help: "Print one JSON summary line on standard output at the end.") var json = false
    @Option(
        name: .customLong("witness-key"),
        help: "A witness's key file (`paper new-key --role witness`): cosign every checkpoint verified here.")
    var witnessKey: String?

    var remote: RemoteServer {
        RemoteServer(base: server.hasSuffix("/") ? String(server.dropLast()) : server, token: nil)
    }
    var copyPath: String { out + "/" + RecordFile.boardFileName }

    func run() async throws {
        try FileManager.default.createDirectory(atPath: out + "/checkpoints", withIntermediateDirectories: true)
        let first: [BoardEntry]
        if FileManager.default.fileExists(atPath: copyPath) {
            var r = try RecordReader(path: copyPath)
            first = try [r.next(), r.next()].map { n in
                guard let n else { throw CLIError("the local copy \(copyPath) has no manifest: move it away") }
                return try n.get()
            }
        } else {
            first = try await retrying { try await remote.entries(from: 0, limit: 2) }
            guard first.count == 2 else { throw CLIError("the board at \(server) has no manifest yet") }
        }
        let manifest = try CanonicalJSON.decode(Manifest.self, first[1].payload)
        try await dispatch(manifest.group)
    }

    /// Network errors are retried (the board may restart); only alarms end the watch.
    func retrying<T>(_ body: () async throws -> T) async throws -> T {
        var wait = 0.5
        while true {
            do { return try await body() } catch {
                if once { throw error }
                say("the board does not answer (\(error)); trying again in \(Int(wait)) s")
                try await Task.sleep(for: .seconds(wait))
                wait = min(wait * 2, 30)
            }
        }
    }

    func say(_ s: String) { FileHandle.standardError.write(Data("monitor: \(s)\n".utf8)) }

    /// Prints the alarm, keeps the evidence, exits 1.
    func alarm(_ message: String, entry: BoardEntry? = nil, head: [UInt8]? = nil) throws -> Never {
        struct Evidence: Encodable {
            let alarm: String
            let server: String
            let at: String
            let entry: EntryJSON?
            let localHead: String?
            enum CodingKeys: String, CodingKey { case alarm, server, at, entry, localHead = "local_head" }
        }
        let ev = Evidence(
            alarm: message, server: server, at: ISO8601DateFormatter().string(from: Date()),
            entry: entry.map(EntryJSON.init), localHead: head.map { Hex.encode($0) })
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try? e.encode(ev).write(to: URL(fileURLWithPath: out + "/alarm.json"))
        print("ALARM: \(message)")
        FileHandle.standardError.write(Data("ALARM: \(message)\n".utf8))
        throw ExitCode(1)
    }

    func run<G: PrimeOrderGroup>(_: G.Type) async throws {
        let start = Date()
        var (follower, writer, seen) = try await resume(G.self)
        if let boardKey, try Hex.decode(boardKey, what: "board key") != Array(follower.state.boardKey.rawRepresentation)
        {
            try alarm("the board's key is not the one you pinned: the board was re-keyed")
        }
        let witness = try witnessKey.map { path in
            let f = try AuthorityKeyFile.load(path, role: .witness)
            try f.check(follower.state.manifest, role: .witness)
            return try f.signer()
        }
        var stats = MonitorStats()
        var lastGrowth = Date()
        var lastPrint = Date.distantPast
        while true {
            let count = try await retrying { try await remote.count() }
            stats.observe(boardCount: count, local: follower.state.count)
            if count < follower.state.count {
                try alarm(
                    "the board now shows \(count) entries, fewer than the \(follower.state.count) this copy holds: it was cut short or rewritten"
                )
            }
            try await crossCheckCheckpoint(seen)
            if count > follower.state.count { lastGrowth = Date() }
            let cosignedBefore = stats.cosigned
            while follower.state.count < count {
                let page = try await retrying {
                    try await remote.entries(
                        from: follower.state.count, limit: Int(min(1000, count - follower.state.count)))
                }
                if page.isEmpty { break }
                for e in page {
                    let head = follower.state.head
                    guard e.index == follower.state.count else {
                        try alarm(
                            "the board sent entry \(e.index) where entry \(follower.state.count) was due", entry: e)
                    }
                    let expected = BoardEntry.hash(
                        index: e.index, previous: head, time: e.time, kind: e.kind, payload: e.payload)
                    guard e.hash == expected else {
                        try alarm(
                            "entry \(e.index) (\(e.kind)) does not extend entry \(e.index - 1) of the copy you hold (hash \(Hex.encode(head).prefix(16))…): the board forked or was rewritten",
                            entry: e, head: head)
                    }
                    await follower.add(e)
                    if !follower.log.isEmpty {
                        await follower.flush()
                        try alarm(follower.log.lines.joined(separator: "; "), entry: e, head: head)
                    }
                }
                await follower.flush()
                if !follower.log.isEmpty { try alarm(follower.log.lines.joined(separator: "; ")) }
                // Only now, every entry of the page verified, does it join the copy.
                for e in page {
                    try writer.append(e)
                    if e.kind == .checkpoint, let c = try? Checkpoint(payload: e.payload) {
                        seen[c.upTo] = c.hash
                        let pinned = PinnedCheckpoint(c, boardKey: follower.state.boardKey)
                        try JSONEncoder().encode(pinned).write(
                            to: URL(fileURLWithPath: out + "/checkpoints/\(c.upTo).json"))
                    }
                }
                try writer.flush()
                if let witness {
                    for e in page where e.kind == .checkpoint {
                        guard let c = try? Checkpoint(payload: e.payload) else { continue }
                        let co = try WitnessCosignature(
                            upTo: c.upTo, hash: c.hash, key: witness, base: follower.state.baseHash)
                        _ = try await retrying {
                            try await remote.post("witness-cosignatures", ["payload": Hex.encode(co.payload)])
                        }
                        stats.cosigned += 1
                    }
                }
                stats.verified(
                    page.count, ballots: page.filter { $0.kind == .ballot }.count, local: follower.state.count)
                if Date().timeIntervalSince(lastPrint) >= 5 {
                    lastPrint = Date()
                    say(stats.line(local: follower.state.count, board: count, phase: follower.state.phase))
                }
            }
            // A cosignature just posted made the board grow: read it back before stopping.
            let caughtUp = follower.state.count >= count && stats.cosigned == cosignedBefore
            if caughtUp && follower.state.phase == .published {
                try await finalCheck(G.self)
                break
            }
            if caughtUp && once { break }
            if caughtUp, let idle = exitWhenIdle, Date().timeIntervalSince(lastGrowth) >= idle { break }
            try await Task.sleep(for: .seconds(poll))
        }
        try writer.close()
        say(stats.line(local: follower.state.count, board: follower.state.count, phase: follower.state.phase))
        if json { print(stats.json(local: follower.state.count, seconds: Date().timeIntervalSince(start))) }
        print("caught up: entry \(follower.state.count - 1), phase \(follower.state.phase.rawValue), no alarm")
    }

    /// The server's latest checkpoint must agree with the copy wherever the copy has seen it.
    func crossCheckCheckpoint(_ seen: [UInt64: [UInt8]]) async throws {
        guard let bytes = try? await remote.get("checkpoint"),
            let c = try? JSONDecoder().decode(PinnedCheckpoint.self, from: Data(bytes))
        else { return }
        guard let (_, hash) = c.verified() else {
            try alarm("the board's latest checkpoint (entry \(c.upTo)) does not verify under the key it names")
        }
        if let mine = seen[c.upTo], mine != hash {
            try alarm(
                "the board's latest checkpoint certifies entry \(c.upTo) with another hash than the copy you hold: the board forked or was rewritten"
            )
        }
    }

    /// The copy so far, re-applied without its ballots' proofs (they were checked when it was
    /// written), and a writer continuing it; or a new copy from the board's first two entries.
    func resume<G: PrimeOrderGroup>(
        _: G.Type
    ) async throws -> (RecordFollower<G>, RecordWriter, [UInt64: [UInt8]]) {
        var seen: [UInt64: [UInt8]] = [:]
        if FileManager.default.fileExists(atPath: copyPath) {
            var r = try RecordReader(path: copyPath)
            let g = try r.next()!.get(), m = try r.next()!.get()
            var f = try RecordFollower<G>(genesis: g, manifest: m)
            var length = r.bytesRead
            while let n = r.next() {
                guard case .success(let e) = n else { break }  // cut short by a crash: dropped below
                await f.add(e, proven: true)
                if e.kind == .checkpoint, let c = try? Checkpoint(payload: e.payload) { seen[c.upTo] = c.hash }
                length = r.bytesRead
            }
            guard f.log.isEmpty else {
                throw CLIError(
                    "the local copy \(copyPath) does not verify (\(f.log.lines.first ?? "")): move it away and start again"
                )
            }
            say("resuming from the local copy: \(f.state.count) entries")
            return (f, try RecordWriter(continuing: copyPath, length: length), seen)
        }
        let first = try await retrying { try await remote.entries(from: 0, limit: 2) }
        let f = try RecordFollower<G>(genesis: first[0], manifest: first[1])
        // A new copy appears whole (its first two entries) or not at all.
        let fresh = copyPath + ".new"
        let w = try RecordWriter(path: fresh)
        for e in first { try w.append(e) }
        try w.close()
        try FileManager.default.moveItem(atPath: fresh, toPath: copyPath)
        let length = try FileManager.default.attributesOfItem(atPath: copyPath)[.size] as? Int ?? 0
        return (f, try RecordWriter(continuing: copyPath, length: length), seen)
    }

    /// At publication: the tally's sums and the results, over the copy (proofs already checked).
    func finalCheck<G: PrimeOrderGroup>(_: G.Type) async throws {
        let report = await RecordVerifier(
            directory: out, options: VerifyOptions(partial: true, earlierCopy: out)
        ).run()
        guard report.valid else {
            try alarm(
                report.failedChecks.flatMap { c in c.problems.map { "\(c.name): \($0)" } }.joined(separator: "; "))
        }
    }
}

/// What the monitor measures: how far behind the board it is, and how fast each side goes —
/// over the time the board was growing, so idle minutes do not dilute the rates.
struct MonitorStats {
    var lastBoardCount: UInt64 = 0
    /// The board's count and the time when it was first seen growing, and when last.
    var growthStart: (count: UInt64, at: Date)?
    var lastGrowth: Date?
    var maxLag: UInt64 = 0
    var entries = 0
    var ballots = 0
    var cosigned = 0
    var firstVerified: Date?
    var lastVerified: Date?
    var sawGrowth = false
    /// Entries verified after `firstVerified`.
    var activeEntries = 0
    /// Seconds from the board's last growth until the copy held all of it.
    var catchUp: Double = 0

    mutating func observe(boardCount: UInt64, local: UInt64) {
        let now = Date()
        if boardCount > lastBoardCount && lastBoardCount > 0 {
            if growthStart == nil { growthStart = (lastBoardCount, now) }
            lastGrowth = now
        }
        lastBoardCount = max(lastBoardCount, boardCount)
        maxLag = max(maxLag, boardCount > local ? boardCount - local : 0)
    }
    mutating func verified(_ n: Int, ballots b: Int, local: UInt64) {
        let now = Date()
        // The rate counts from the first page verified after the board started growing.
        if firstVerified == nil || (growthStart != nil && !sawGrowth) {
            sawGrowth = growthStart != nil
            firstVerified = now
            activeEntries = 0
        } else {
            activeEntries += n
        }
        lastVerified = now
        entries += n
        ballots += b
        if local >= lastBoardCount, let g = lastGrowth { catchUp = now.timeIntervalSince(g) }
    }
    var verifyRate: Double {
        guard let a = firstVerified, let b = lastVerified else { return 0 }
        return Double(activeEntries) / max(b.timeIntervalSince(a), 0.001)
    }
    var growthRate: Double {
        guard let (c, a) = growthStart, let b = lastGrowth else { return 0 }
        return Double(lastBoardCount - c) / max(b.timeIntervalSince(a), 0.001)
    }
    func line(local: UInt64, board: UInt64, phase: Phase) -> String {
        String(
            format:
                "entry %llu of %llu (lag %llu entries, max %llu), phase %@; verified %d entries (%d ballots) at %.0f entries/s; board grew %.0f entries/s",
            local, board, board > local ? board - local : 0, maxLag, phase.rawValue, entries, ballots, verifyRate,
            growthRate)
    }
    func json(local: UInt64, seconds: Double) -> String {
        String(
            format:
                #"{"entries":%llu,"verified_entries":%d,"verified_ballots":%d,"max_lag_entries":%llu,"catch_up_seconds":%.2f,"cosigned":%d,"verify_rate":%.1f,"board_growth_rate":%.1f,"seconds":%.2f}"#,
            local, entries, ballots, maxLag, catchUp, cosigned, verifyRate, growthRate, seconds)
    }
}
