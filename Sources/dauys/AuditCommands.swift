import ArgumentParser
import DauysCrypto
import DauysRecord
import DauysStore
import Foundation

/// Anyone checks an audited ballot (record.md §5.6) from its entry and the election's public
/// key alone: the seed and the choices must re-create the ballot exactly.
struct AuditBallot: AsyncParsableCommand, GroupCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-ballot",
        abstract: "Check an audited ballot: its seed and choices re-create exactly the ballot the device showed.")
    @Option(help: "The entry index of the audited ballot.") var entry: UInt64
    @Option(help: "A record directory (holding board.bin).") var record: String?
    @Option(help: "Or a running server's base URL.") var server: String?

    /// The manifest, the election key entry and entry `entry`, from the record or the server.
    func read() async throws -> (manifest: BoardEntry, key: BoardEntry, audited: BoardEntry) {
        var manifest: BoardEntry?, key: BoardEntry?, audited: BoardEntry?
        if let record {
            var r = try RecordReader(path: record + "/" + RecordFile.boardFileName)
            while let n = r.next(), manifest == nil || key == nil || audited == nil {
                let e = try n.get()
                if e.index == 1 { manifest = e }
                if e.kind == .electionKey { key = e }
                if e.index == entry { audited = e }
            }
        } else if let server {
            let remote = RemoteServer(base: server.hasSuffix("/") ? String(server.dropLast()) : server, token: nil)
            audited = try await remote.entries(from: entry, limit: 1).first
            var from: UInt64 = 0
            while key == nil {
                let page = try await remote.entries(from: from, limit: 1000)
                if page.isEmpty { break }
                for e in page {
                    if e.index == 1 { manifest = e }
                    if e.kind == .electionKey { key = e }
                }
                from = page.last!.index + 1
            }
        } else {
            throw CLIError("give --record DIR or --server URL")
        }
        guard let manifest, let key else { throw CLIError("the board has no manifest or no election key") }
        guard let audited else { throw CLIError("the board has no entry \(entry)") }
        guard audited.kind == .auditedBallot else {
            throw CLIError("entry \(entry) is a \(audited.kind) entry, not an audited ballot")
        }
        return (manifest, key, audited)
    }

    func run() async throws {
        let m = try await read().manifest
        try await dispatch(try CanonicalJSON.decode(Manifest.self, m.payload).group)
    }

    func run<G: PrimeOrderGroup>(_: G.Type) async throws {
        let (m, k, e) = try await read()
        let manifest = try CanonicalJSON.decode(Manifest.self, m.payload)
        let key = try ElectionKeyRecord<G>(payload: k.payload)
        let ctx = BallotContext<G>(
            election: key.electionHash, publicKey: key.publicKey, shape: try manifest.ballotShape())
        let a: AuditedBallot
        do { a = try AuditedBallot(payload: e.payload) } catch {
            print("AUDIT FAILED: entry \(entry) cannot be read: \(error)")
            throw ExitCode(1)
        }
        do { try a.check(ctx) } catch {
            print("AUDIT FAILED: entry \(entry), tracking code \(a.tracking.short): \(error)")
            throw ExitCode(1)
        }
        print(
            "AUDIT PASSED: entry \(entry), tracking code \(a.tracking.short) encrypts \(a.choices(manifest).joined(separator: "; ")); an audited ballot is never counted"
        )
    }
}
