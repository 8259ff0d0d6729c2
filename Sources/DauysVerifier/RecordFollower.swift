import DauysCrypto
import DauysRecord
import Foundation

/// The checks of record.md §9 applied entry by entry, so that a record can be verified while
/// it grows (record.md §9.3): what `dauys verify`, `dauys verify-diff` and `dauys monitor`
/// share. The board's rules are applied at once; a ballot's proofs are queued and checked in
/// parallel batches. A full batch is checked in the background while the caller goes on
/// reading and applying entries (one batch at a time), so that the serial part — reading,
/// hashing, the board's rules — overlaps the proofs; `flush()` waits for everything queued.
public struct RecordFollower<G: PrimeOrderGroup>: Sendable {
    public private(set) var state: BoardState<G>
    public private(set) var log = CheckLog()
    /// Ballots applied, and those of them whose proofs were checked here (the others were
    /// checked before: the prefix of `verify-diff`, the copy a monitor resumes from).
    public private(set) var ballots = 0
    public private(set) var proofsChecked = 0
    private var batch: [[UInt8]] = []
    private var batchIndices: [UInt64] = []
    /// The batch whose proofs are being checked, with its entry indices.
    private var inFlight: (check: Task<[BallotError?], Never>, indices: [UInt64])?
    private var verifier: BatchVerifier<G>?
    private var violations: [BoardViolation] = []
    public static var batchSize: Int { 4096 }

    public init(genesis: BoardEntry, manifest: BoardEntry) throws(BoardViolation) {
        state = try BoardState<G>(genesis: genesis, manifest: manifest)
    }

    /// Ballots whose proofs are queued or being checked, not yet reported.
    public var pending: Int { batch.count + (inFlight?.indices.count ?? 0) }

    /// Applies one entry in collecting mode; a ballot's proofs are queued unless `proven`.
    public mutating func add(_ e: BoardEntry, proven: Bool = false) async {
        state.apply(e, collecting: &violations)
        for v in violations { log.fail(v.check, v.message) }
        violations.removeAll(keepingCapacity: true)
        guard e.kind == .ballot else { return }
        ballots += 1
        if proven { return }
        if verifier == nil, let ctx = state.ballotContext { verifier = BatchVerifier(context: ctx, chunkSize: 32) }
        batch.append(e.payload)
        batchIndices.append(e.index)
        if batch.count >= Self.batchSize { await dispatch() }
    }

    /// Checks the proofs of every queued ballot and reports them.
    public mutating func flush() async {
        await dispatch()
        await collect()
    }

    /// Starts checking the queued ballots' proofs, after reporting the batch before them.
    private mutating func dispatch() async {
        await collect()
        guard !batch.isEmpty else { return }
        let (ballots, indices) = (batch, batchIndices)
        batch = []
        batchIndices = []
        batch.reserveCapacity(Self.batchSize)
        batchIndices.reserveCapacity(Self.batchSize)
        // No election key yet: the board state has already refused these ballots.
        guard let v = verifier else { return }
        inFlight = (Task { await v.verify(encoded: ballots) }, indices)
    }

    /// Waits for the batch in flight and reports what its proofs show.
    private mutating func collect() async {
        guard let (check, indices) = inFlight else { return }
        inFlight = nil
        for (i, verdict) in (await check.value).enumerated() {
            if let verdict { log.fail(.ballots, "ballot at entry \(indices[i]): \(verdict)") }
        }
        proofsChecked += indices.count
    }

    /// Records a problem found beside the board's rules (pins, earlier copies).
    public mutating func fail(_ check: RecordCheck, _ problem: String) { log.fail(check, problem) }
}

/// The problems found so far, per check (at most 20 kept per check).
public struct CheckLog: Sendable {
    public private(set) var problems: [RecordCheck: [String]] = [:]
    /// Every problem found, also those not kept.
    public private(set) var total = 0
    public init() {}
    public var isEmpty: Bool { total == 0 }
    public mutating func fail(_ check: RecordCheck, _ problem: String) {
        total += 1
        var list = problems[check, default: []]
        if list.count < 20 { list.append(problem) } else if list.count == 20 { list.append("… and more") }
        problems[check] = list
    }
    public mutating func merge(_ other: CheckLog) {
        for c in RecordCheck.allCases { for p in other.problems[c, default: []] { fail(c, p) } }
    }
    /// Each problem as "check: problem", checks in the order of record.md §9.
    public var lines: [String] {
        RecordCheck.allCases.flatMap { c in problems[c, default: []].map { "\(c.rawValue): \($0)" } }
    }
}
