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
    /// Ballots whose proofs this run checked (`verify-diff`: only those of the new suffix).
    public var proofsChecked = 0
    /// Entries of the earlier copy (`verify-diff`), found unchanged at the start of the record.
    public var earlierEntries = 0
    /// The phase the record reached.
    public var phase = ""
    public var seconds: Double
    public var results: Results?
    /// The official result (paper and e-votes) as the verifier computes it from the board, and
    /// whether the central commission published it (record.md §8.4).
    public var official: Results?
    public var officialPublished = false
    public var precinctsReported = 0
    public var precinctsTotal = 0

    public var valid: Bool { checks.allSatisfy(\.passed) }
    public var failedChecks: [CheckResult] { checks.filter { !$0.passed } }

    public var json: String {
        struct Summary: Encodable {
            let valid: Bool
            let ballots: Int
            let counted_ballots: Int
            let entries: Int
            let proofs_checked: Int
            let earlier_entries: Int
            let phase: String
            let seconds: Double
            let failed: [CheckResult]
            let checks: [String: Bool]
            let official_result_published: Bool
            let precincts_reported: Int
            let precincts_total: Int
        }
        let s = Summary(
            valid: valid, ballots: ballots, counted_ballots: countedBallots, entries: entries,
            proofs_checked: proofsChecked, earlier_entries: earlierEntries, phase: phase,
            seconds: (seconds * 1000).rounded() / 1000, failed: failedChecks,
            checks: Dictionary(uniqueKeysWithValues: checks.map { ($0.name, $0.passed) }),
            official_result_published: officialPublished, precincts_reported: precinctsReported,
            precincts_total: precinctsTotal)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try! e.encode(s), as: UTF8.self)
    }
}

/// The independent verifier of a Dauys election record. It reads only the record files and
/// uses only the cryptographic core and the record format — the same `BoardState` rules the
/// lifecycle applies — so observers can trust it without trusting the server. Every check of
/// docs/record.md §9 is here.
public struct VerifyOptions: Sendable {
    /// record.md §9.3: check a board in any phase — every rule that applies to the entries
    /// present — without requiring it to reach the published phase.
    public var partial: Bool
    /// `verify-diff`: a record directory verified before. The record must start with exactly
    /// its entries; their ballots' proofs are not checked again (record.md §9.3).
    public var earlierCopy: String?
    public init(partial: Bool = false, earlierCopy: String? = nil) {
        self.partial = partial
        self.earlierCopy = earlierCopy
    }
}

public struct RecordVerifier: Sendable {
    public static let checkNames = RecordCheck.allCases.map(\.rawValue)

    public let directory: String
    public let progress: (@Sendable (String) -> Void)?
    /// What the observer pinned beforehand: the board key, entries under saved checkpoints.
    public let pins: RecordPins
    public let options: VerifyOptions

    public init(
        directory: String, pins: RecordPins = RecordPins(), options: VerifyOptions = VerifyOptions(),
        progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.directory = directory
        self.pins = pins
        self.options = options
        self.progress = progress
    }

    public func run() async -> VerificationReport {
        let start = Date()
        var log = CheckLog()
        var report = VerificationReport(checks: [], ballots: 0, countedBallots: 0, entries: 0, seconds: 0)
        await verify(&log, &report)
        report.checks = RecordCheck.allCases.map { c in
            CheckResult(
                name: c.rawValue, passed: log.problems[c, default: []].isEmpty, problems: log.problems[c, default: []])
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Reads the genesis and the manifest, then runs the checks for the manifest's group.
    private func verify(_ log: inout CheckLog, _ report: inout VerificationReport) async {
        var reader: RecordReader
        do { reader = try RecordReader(path: directory + "/" + RecordFile.boardFileName) } catch {
            log.fail(.recordFormat, "\(error)")
            return
        }
        var first: [BoardEntry] = []
        while first.count < 2, let next = reader.next() {
            switch next {
            case .success(let e): first.append(e)
            case .failure(let err):
                log.fail(.recordFormat, "\(err)")
                return
            }
        }
        guard first.count == 2 else {
            log.fail(.recordFormat, "the record is empty or has no manifest")
            return
        }
        report.entries = first.count
        let group: String
        do { group = try CanonicalJSON.decode(Manifest.self, first[1].payload).group } catch {
            log.fail(.manifest, "the manifest cannot be read: \(error)")
            return
        }
        if let earlier = options.earlierCopy {
            // verify-diff: the earlier copy must itself be a record of the same board.
            do { _ = try RecordReader(path: earlier + "/" + RecordFile.boardFileName) } catch {
                log.fail(.checkpoints, "the earlier copy cannot be read: \(error)")
                return
            }
        }
        switch group {
        case P256.name:
            await GroupVerifier<P256>(
                genesis: first[0], manifestEntry: first[1], directory: directory, pins: pins, options: options,
                progress: progress
            ).run(&log, &report)
        case ElectionGuardV1.name:
            await GroupVerifier<ElectionGuardV1>(
                genesis: first[0], manifestEntry: first[1], directory: directory, pins: pins, options: options,
                progress: progress
            )
            .run(&log, &report)
        case ElectionGuardV2.name:
            await GroupVerifier<ElectionGuardV2>(
                genesis: first[0], manifestEntry: first[1], directory: directory, pins: pins, options: options,
                progress: progress
            )
            .run(&log, &report)
        default: log.fail(.manifest, "unknown group \(group)")
        }
    }
}
