import ArgumentParser
import DauysBench
import DauysCrypto
import DauysRecord
import DauysStore
import DauysVerifier
import Foundation

@main
struct Dauys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dauys",
        abstract: "Dauys — end-to-end verifiable referendum system.",
        subcommands: [
            Simulate.self, Verify.self, VerifyDiff.self, Init.self, ManifestSample.self, PhaseCommand.self,
            TrusteeCommand.self,
            CeremonyFinish.self,
            RegistryCommand.self, CredentialAuthorityCommand.self, CredentialsCommand.self, Vote.self, Tally.self,
            ResultsCommand.self,
            RecordCommand.self,
            Serve.self, OfficialCommand.self, LoadtestSetup.self, Load.self, PaperCommand.self, Report.self,
            Bench.self, Vectors.self, Pin.self, ReceiptCommand.self, Monitor.self, AuditBallot.self,
        ])
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (measurements, not tests).", subcommands: [CryptoBench.self, AppendBench.self])
}

struct CryptoBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crypto", abstract: "Measure the cryptographic core.")
    @Flag(help: "Print one JSON object on standard output (progress goes to standard error).") var json = false
    @Option(help: "Ballots in the batch-verification run.") var ballots = 4000
    @Flag(help: "Skip the 4096-bit integer group.") var skipModp = false

    func run() async throws {
        let report = await CryptoBenchmark(batchBallots: ballots, includeModP: !skipModp).run()
        if json {
            print(report.json)
        } else {
            print(report.table)
        }
    }
}

struct Vectors: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-vectors", abstract: "Write the known-answer test vectors (run once; tests check them).")
    @Option(help: "Output directory.") var out = "Tests/DauysCryptoTests/Vectors"
    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (name, text) in try TestVectors.generateAll() + [try RecordVectors.generate()] {
            try text.write(toFile: out + "/" + name, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(Data("wrote \(out)/\(name)\n".utf8))
        }
    }
}

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify an election record independently; exit 0 only if every check holds.")
    @Argument(help: "The record directory (holding board.bin).") var directory: String
    @Flag(help: "Print one JSON summary object on standard output.") var json = false
    @Option(name: .customLong("board-key"), help: "The board key (hex) you expect: refuses a re-keyed record.")
    var boardKey: String?
    @Option(
        name: .customLong("checkpoint"),
        help: "A checkpoint you saved earlier (`dauys pin`); repeatable: refuses a record that does not hold it.")
    var checkpoints: [String] = []
    @Flag(help: "Check a board in any phase: every rule that applies so far (record.md §9.3).") var partial = false
    @Option(
        name: .customLong("witness"),
        help: "A witness's public key (hex); repeatable: requires its cosignature of the board up to the close (§9.4).")
    var witnesses: [String] = []

    /// The pins, each checkpoint's signature checked under the key it names.
    func pins() throws -> RecordPins {
        var p = RecordPins()
        if let boardKey { p.boardKey = try Hex.decode(boardKey, what: "board key") }
        p.witnesses = try witnesses.map { try Hex.decode($0, what: "witness key") }
        for path in checkpoints {
            guard let d = FileManager.default.contents(atPath: path),
                let c = try? JSONDecoder().decode(PinnedCheckpoint.self, from: d)
            else { throw CLIError("\(path) is not a checkpoint file of `dauys pin`") }
            guard let (key, hash) = c.verified() else {
                throw CLIError("\(path): the checkpoint's signature does not verify under the board key it names")
            }
            if let k = p.boardKey, k != key {
                throw CLIError("\(path) is signed by another board key than the one pinned")
            }
            p.boardKey = key
            p.entries[c.upTo] = hash
        }
        return p
    }

    func run() async throws {
        try await Self.verify(
            directory, pins: try pins(), options: VerifyOptions(partial: partial), json: json)
    }

    /// Runs the verifier and prints its report; exit 1 unless every check holds.
    static func verify(_ directory: String, pins: RecordPins, options: VerifyOptions, json: Bool) async throws {
        let tty = isatty(2) == 1
        let verifier = RecordVerifier(
            directory: directory, pins: pins, options: options,
            progress: { msg in
                if tty { FileHandle.standardError.write(Data("\r\u{1B}[K\(msg)".utf8)) }
            })
        let report = await verifier.run()
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if json {
            print(report.json)
        } else {
            for c in report.checks {
                print("\(c.passed ? "✓" : "✗") \(c.name)")
                for p in c.problems { print("    \(p)") }
            }
            print(
                String(
                    format: "%@ — %d entries, %d ballots (%d counted), %.2f s",
                    report.valid ? "RECORD VALID" : "RECORD INVALID",
                    report.entries, report.ballots, report.countedBallots, report.seconds))
            if options.earlierCopy != nil {
                print(
                    "Extends the earlier copy: its \(report.earlierEntries) entries unchanged; "
                        + "\(report.entries - report.earlierEntries) new entries verified, "
                        + "\(report.proofsChecked) ballot proofs checked")
            }
            if options.partial { print("Phase reached: \(report.phase)") }
            if report.officialPublished, let q = report.official?.questions.first {
                print("Official result: certified by the central commission, re-derived here — \(q.explanation)")
            } else {
                print(
                    "Official result: not on the board (\(report.precinctsReported) of \(report.precinctsTotal) precincts reported): the record is not final"
                )
            }
        }
        if !report.valid { throw ExitCode(1) }
    }
}

/// Belenios' verify-diff for a hash-chained board (record.md §9.3).
struct VerifyDiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-diff",
        abstract: "Check that a record extends one you verified before, and verify only what is new.",
        discussion: """
            NEW must start with exactly the entries of OLD (same index, time, kind, payload, hash); \
            every entry of NEW goes through the board's rules again, but only the ballots after OLD \
            have their proofs checked. NEW may be in any phase (as with `verify --partial`). \
            Exit 0 only if every check holds.
            """)
    @Argument(help: "The record directory you verified before.") var old: String
    @Argument(help: "The newer record directory of the same board.") var new: String
    @Flag(help: "Print one JSON summary object on standard output.") var json = false
    @Option(name: .customLong("board-key"), help: "The board key (hex) you expect: refuses a re-keyed record.")
    var boardKey: String?

    func run() async throws {
        var pins = RecordPins()
        if let boardKey { pins.boardKey = try Hex.decode(boardKey, what: "board key") }
        try await Verify.verify(new, pins: pins, options: VerifyOptions(partial: true, earlierCopy: old), json: json)
    }
}

/// Saves the board's latest signed checkpoint, to pin later (`dauys verify --checkpoint`).
struct Pin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Save the board's latest signed checkpoint (record.md §9.1): any later rewrite of the board up to it is caught by `dauys verify --checkpoint FILE`."
    )
    @OptionGroup var d: DataOption
    @Option(help: "The file to write.") var out: String
    func run() async throws {
        let c: PinnedCheckpoint
        if let remote = d.remote {
            guard
                let got = try? JSONDecoder().decode(
                    PinnedCheckpoint.self, from: Data(try await remote.get("checkpoint")))
            else { throw CLIError("the server's answer is not a checkpoint") }
            c = got
        } else {
            struct Body: GroupDispatch {
                let d: DataOption
                func run<G: PrimeOrderGroup>(_: G.Type) async throws -> PinnedCheckpoint {
                    let s = try await d.state(G.self)
                    guard let c = s.lastCheckpoint else { throw CLIError("the board holds no checkpoint yet") }
                    return PinnedCheckpoint(c, boardKey: s.boardKey)
                }
            }
            c = try await Body(d: d).dispatch(try await d.group())
        }
        guard c.verified() != nil else { throw CLIError("the checkpoint's signature does not verify") }
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try e.encode(c).write(to: URL(fileURLWithPath: out))
        print(
            "checkpoint of entry \(c.upTo) (hash \(c.hash.prefix(16))…, board key \(c.boardKey.prefix(16))…) saved to \(out)"
        )
    }
}
