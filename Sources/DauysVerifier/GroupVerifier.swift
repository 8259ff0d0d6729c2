import DauysCrypto
import DauysRecord
import Foundation

/// The checks once the group is known: the board state applied in collecting mode to every
/// entry, the ballots' proofs in parallel batches, then the tally's sums (record.md §9).
struct GroupVerifier<G: PrimeOrderGroup> {
    let genesis: BoardEntry
    let manifestEntry: BoardEntry
    let directory: String
    let pins: RecordPins
    let progress: (@Sendable (String) -> Void)?

    /// record.md §9.1: the pinned board key, and each pinned entry's hash.
    func checkPin(_ e: BoardEntry, _ log: inout CheckLog) {
        if let h = pins.entries[e.index], h != e.hash {
            log.fail(
                .checkpoints,
                "entry \(e.index) differs from the pinned checkpoint (hash \(Hex.encode(h).prefix(16))…): the board was rewritten"
            )
        }
    }

    var boardPath: String { directory + "/" + RecordFile.boardFileName }

    func run(_ log: inout CheckLog, _ report: inout VerificationReport) async {
        var state: BoardState<G>
        do { state = try BoardState<G>(genesis: genesis, manifest: manifestEntry) } catch {
            log.fail(error.check, error.message)
            return
        }
        if let k = pins.boardKey, k != state.boardKey.rawRepresentation.map({ $0 }) {
            log.fail(.checkpoints, "the record's board key is not the pinned one: the board was re-keyed")
        }
        checkPin(genesis, &log)
        checkPin(manifestEntry, &log)
        // One pass: every entry through the board's rules; ballots' proofs in batches.
        var reader: RecordReader
        do { reader = try RecordReader(path: boardPath) } catch {
            log.fail(.recordFormat, "\(error)")
            return
        }
        _ = reader.next()
        _ = reader.next()
        var violations: [BoardViolation] = []
        var batch: [[UInt8]] = [], batchIndices: [UInt64] = []
        var verifier: BatchVerifier<G>? = nil
        var entries = 2, ballots = 0
        var lastReport = Date()
        func flush(_ log: inout CheckLog) async {
            guard let v = verifier, !batch.isEmpty else { return }
            for (i, verdict) in (await v.verify(encoded: batch)).enumerated() where verdict != nil {
                log.fail(.ballots, "ballot at entry \(batchIndices[i]): \(verdict!)")
            }
            batch.removeAll(keepingCapacity: true)
            batchIndices.removeAll(keepingCapacity: true)
        }
        while let next = reader.next() {
            guard case .success(let e) = next else {
                if case .failure(let err) = next { log.fail(.recordFormat, "\(err)") }
                break
            }
            entries += 1
            checkPin(e, &log)
            state.apply(e, collecting: &violations)
            for v in violations { log.fail(v.check, v.message) }
            violations.removeAll(keepingCapacity: true)
            if e.kind == .ballot {
                ballots += 1
                if verifier == nil, let ctx = state.ballotContext {
                    verifier = BatchVerifier(context: ctx, chunkSize: 32)
                }
                batch.append(e.payload)
                batchIndices.append(e.index)
                if batch.count == 4096 { await flush(&log) }
            }
            if let progress, Date().timeIntervalSince(lastReport) > 0.5 {
                lastReport = Date()
                progress(
                    "verifying the board: \(reader.bytesRead * 100 / max(reader.totalBytes, 1))% (\(ballots) ballots)")
            }
        }
        await flush(&log)
        report.entries = entries
        for i in pins.entries.keys.sorted() where i >= UInt64(entries) {
            log.fail(.checkpoints, "entry \(i), under a pinned checkpoint, is missing: the record ends at \(entries)")
        }
        report.ballots = ballots
        report.countedBallots = state.countedBallots.count
        if state.phase != .published { log.fail(.phases, "the record does not reach the published phase") }
        if state.credentialPrecinct.isEmpty { log.fail(.credentialLists, "no credential was published") }
        if state.electionKey == nil { log.fail(.keyCeremony, "no election key was published") }

        // The encrypted tally is the sum of the counted ballots (second pass, bounded memory).
        if let posted = state.tally {
            progress?("adding up \(report.countedBallots) counted ballots")
            var computation = TallyComputation(state: state)
            if var again = try? RecordReader(path: boardPath) {
                while let next = again.next() {
                    guard case .success(let e) = next else { break }
                    await computation.add(e)
                }
            }
            for v in TallyComputation.check(posted: posted, computed: await computation.finish()) {
                log.fail(v.check, v.message)
            }
        } else {
            log.fail(.encryptedTally, "no encrypted tally was published")
        }
        if state.results == nil { log.fail(.decryptedResults, "no results were published") }
        report.results = try? state.computeResults()
        report.precinctsReported = state.paper.history.count
        report.precinctsTotal = state.precincts.count
        report.officialPublished = state.paper.official != nil
        if state.results != nil { report.official = state.computeOfficialResult() }

        // Side files, if present, must equal the board entries.
        var sides: [(String, [UInt8])] = [("manifest.json", state.manifestPayload)]
        if let r = state.results { sides.append(("results.json", r.payload)) }
        if let r = state.paper.official { sides.append(("official-results.json", r.payload)) }
        for (name, payload) in sides {
            let p = directory + "/" + name
            if FileManager.default.fileExists(atPath: p), let d = FileManager.default.contents(atPath: p),
                Array(d) != payload
            {
                log.fail(.sideFiles, "\(name) differs from its entry on the board")
            }
        }
    }
}
