import DauysCrypto
import DauysRecord
import Foundation

/// One named check of the verifier, as an observer reads it.
public struct CheckResult: Sendable, Codable, Equatable {
    public let name: String
    public var passed: Bool
    /// What failed, in words (empty when passed).
    public var problems: [String]
}

public struct VerificationReport: Sendable {
    public var checks: [CheckResult]
    public var ballots: Int
    public var countedBallots: Int
    public var entries: Int
    public var seconds: Double
    public var results: Results?

    public var valid: Bool { checks.allSatisfy(\.passed) }
    public var failedChecks: [CheckResult] { checks.filter { !$0.passed } }

    public var json: String {
        struct Summary: Encodable {
            let valid: Bool; let ballots: Int; let counted_ballots: Int; let entries: Int; let seconds: Double
            let failed: [CheckResult]; let checks: [String: Bool]
        }
        let s = Summary(valid: valid, ballots: ballots, counted_ballots: countedBallots, entries: entries,
                        seconds: (seconds * 1000).rounded() / 1000, failed: failedChecks,
                        checks: Dictionary(uniqueKeysWithValues: checks.map { ($0.name, $0.passed) }))
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try! e.encode(s), as: UTF8.self)
    }
}

/// The independent verifier of a Dauys election record. It reads only the record files and
/// uses only the cryptographic core and the record format, so observers can trust it without
/// trusting the server. Every check of docs/record.md "What the verifier checks" is here.
public struct RecordVerifier: Sendable {
    public static let checkNames = [
        "record format", "hash chain", "checkpoints", "manifest", "phases", "key ceremony", "credential lists",
        "ballots", "encrypted tally", "decryption shares", "decrypted results", "decision rules", "side files",
    ]

    public let directory: String
    public let progress: (@Sendable (String) -> Void)?

    public init(directory: String, progress: (@Sendable (String) -> Void)? = nil) {
        self.directory = directory
        self.progress = progress
    }

    public func run() async -> VerificationReport {
        let start = Date()
        var log = CheckLog()
        var report = await verify(&log)
        report.checks = RecordVerifier.checkNames.map { name in
            CheckResult(name: name, passed: log.problems[name, default: []].isEmpty, problems: log.problems[name, default: []])
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    private func verify(_ log: inout CheckLog) async -> VerificationReport {
        var report = VerificationReport(checks: [], ballots: 0, countedBallots: 0, entries: 0, seconds: 0, results: nil)
        let path = directory + "/" + RecordFile.boardFileName
        // Pass 0: read the non-ballot entries, check the chain and the phases.
        let scan: BoardScan
        do { scan = try BoardScan(path: path, log: &log, progress: progress) } catch {
            log.fail("record format", "\(error)")
            return report
        }
        report.entries = scan.entryCount
        report.ballots = scan.ballotIndices.count
        guard let manifestPayload = scan.manifestPayload else {
            log.fail("manifest", "the record has no manifest entry")
            return report
        }
        let manifest: Manifest
        do {
            manifest = try CanonicalJSON.decode(Manifest.self, manifestPayload)
            try manifest.validate()
        } catch {
            log.fail("manifest", "the manifest cannot be read or is invalid: \(error)")
            return report
        }
        if manifest.canonicalJSON() != manifestPayload { log.fail("manifest", "the manifest is not in canonical JSON form") }
        switch manifest.group {
        case P256.name: await GroupVerifier<P256>(manifest: manifest, manifestPayload: manifestPayload, scan: scan, directory: directory, progress: progress).run(&log, &report)
        case ElectionGuardV1.name: await GroupVerifier<ElectionGuardV1>(manifest: manifest, manifestPayload: manifestPayload, scan: scan, directory: directory, progress: progress).run(&log, &report)
        case ElectionGuardV2.name: await GroupVerifier<ElectionGuardV2>(manifest: manifest, manifestPayload: manifestPayload, scan: scan, directory: directory, progress: progress).run(&log, &report)
        default: log.fail("manifest", "unknown group \(manifest.group)")
        }
        return report
    }
}

struct CheckLog {
    var problems: [String: [String]] = [:]
    /// Records a failed check; at most 20 problems are kept per check.
    mutating func fail(_ check: String, _ problem: String) {
        precondition(RecordVerifier.checkNames.contains(check), "unknown check \(check)")
        var list = problems[check, default: []]
        if list.count < 20 { list.append(problem) } else if list.count == 20 { list.append("… and more") }
        problems[check] = list
    }
}

/// What one sequential pass over the board finds, apart from the ballots themselves.
struct BoardScan: Sendable {
    var entryCount = 0
    var genesis: Genesis?
    var manifestPayload: [UInt8]?
    var phases: [(Phase, UInt64)] = []
    var byKind: [EntryKind: [BoardEntry]] = [:]
    /// Entry indices of the ballots, in board order.
    var ballotIndices: [UInt64] = []

    init(path: String, log: inout CheckLog, progress: (@Sendable (String) -> Void)?) throws {
        var reader = try RecordReader(path: path)
        var previous = BoardEntry.zeroHash
        var expected: UInt64 = 0
        var phase = Phase.setup
        var lastReport = Date()
        while let next = reader.next() {
            let e: BoardEntry
            switch next {
            case .failure(let err): log.fail("record format", "\(err)"); return
            case .success(let v): e = v
            }
            entryCount += 1
            if e.index != expected { log.fail("hash chain", "entry \(expected) expected, entry \(e.index) found (entries missing or out of order)") }
            let h = BoardEntry.hash(index: e.index, previous: previous, time: e.time, kind: e.kind, payload: e.payload)
            if h != e.hash { log.fail("hash chain", "entry \(e.index) (\(e.kind)) does not match its hash or its predecessor") }
            // Phase discipline.
            if e.index == 0 && e.kind != .genesis { log.fail("phases", "the board does not start with its genesis entry") }
            if e.index == 1 && e.kind != .manifest { log.fail("phases", "the manifest is not the second entry") }
            if e.kind == .genesis && e.index != 0 { log.fail("phases", "a second genesis entry at \(e.index)") }
            if e.kind == .manifest && e.index != 1 { log.fail("phases", "a second manifest entry at \(e.index)") }
            if let allowed = Phase.allowed(for: e.kind), allowed != phase {
                log.fail("phases", "entry \(e.index) (\(e.kind)) was posted in phase \(phase.rawValue), allowed only in \(allowed.rawValue)")
            }
            switch e.kind {
            case .genesis:
                if let g = try? CanonicalJSON.decode(Genesis.self, e.payload), (try? g.publicKey()) != nil {
                    genesis = g
                } else { log.fail("record format", "the genesis entry cannot be read") }
            case .manifest:
                manifestPayload = e.payload
            case .phase:
                guard let p = Phase(rawValue: String(decoding: e.payload, as: UTF8.self)) else {
                    log.fail("phases", "entry \(e.index) names an unknown phase"); break
                }
                if phase.next != p { log.fail("phases", "entry \(e.index) moves from \(phase.rawValue) to \(p.rawValue), skipping or repeating a phase") }
                phase = p
                phases.append((p, e.index))
            case .checkpoint:
                do {
                    let c = try Checkpoint(payload: e.payload)
                    if c.upTo + 1 != e.index || c.hash != previous {
                        log.fail("checkpoints", "checkpoint at \(e.index) does not certify the entry before it")
                    }
                    if let g = genesis {
                        if !c.verify(genesis: g) { log.fail("checkpoints", "checkpoint at \(e.index) is not signed by the board key") }
                    } else {
                        log.fail("checkpoints", "no board key to check the checkpoint at \(e.index)")
                    }
                } catch { log.fail("checkpoints", "checkpoint at \(e.index): \(error)") }
            case .ballot:
                ballotIndices.append(e.index)
            default:
                byKind[e.kind, default: []].append(e)
            }
            previous = e.hash
            expected = e.index + 1
            if let progress, Date().timeIntervalSince(lastReport) > 0.5 {
                lastReport = Date()
                progress("reading board: \(reader.bytesRead * 100 / max(reader.totalBytes, 1))%")
            }
        }
        if entryCount == 0 { log.fail("record format", "the record is empty") }
        if !phases.contains(where: { $0.0 == .published }) { log.fail("phases", "the record does not reach the published phase") }
    }
}

