import ArgumentParser
import DauysBench
import DauysCrypto
import DauysRecord
import DauysVerifier
import Foundation

@main
struct Dauys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dauys",
        abstract: "Dauys — end-to-end verifiable referendum system.",
        subcommands: [
            Simulate.self, Verify.self, Init.self, ManifestSample.self, PhaseCommand.self, TrusteeCommand.self,
            CeremonyFinish.self,
            RegistryCommand.self, CredentialAuthorityCommand.self, CredentialsCommand.self, Vote.self, Tally.self,
            ResultsCommand.self,
            RecordCommand.self,
            Serve.self, OfficialCommand.self, LoadtestSetup.self, Load.self, PaperCommand.self, Report.self,
            Bench.self, Vectors.self,
        ])
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (measurements, not tests).", subcommands: [CryptoBench.self])
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

    func run() async throws {
        let tty = isatty(2) == 1
        let verifier = RecordVerifier(
            directory: directory,
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
