import DauysCrypto
import DauysReferendum
import Foundation

/// Group commit for ballots: requests that verified their ballot in parallel wait here; one
/// dedicated thread takes everything waiting, appends it in one transaction (one fsync), and
/// answers each request. Under load, a commit carries many ballots; alone, a ballot waits for
/// no one. The fsync blocks this thread, never the request-handling threads.
final class GroupCommitter<G: PrimeOrderGroup>: @unchecked Sendable {
    typealias Item = (bytes: [UInt8], ballot: Ballot<G>, region: Int?, done: CheckedContinuation<Result<CastReceipt, CastError>, Never>)
    private let condition = NSCondition()
    private var queue: [Item] = []
    private let referendum: Referendum<G>
    private(set) var commits = 0

    private var started = false

    init(referendum: Referendum<G>) {
        self.referendum = referendum
    }

    /// The committing thread starts with the first ballot and lives as long as the process
    /// (it keeps the committer alive while it waits for work).
    func submit(_ bytes: [UInt8], _ ballot: Ballot<G>, region: Int?) async -> Result<CastReceipt, CastError> {
        await withCheckedContinuation { c in
            condition.lock()
            if !started {
                started = true
                let t = Thread { self.loop() }
                t.name = "dauys-group-commit"
                t.start()
            }
            queue.append((bytes, ballot, region, c))
            condition.signal()
            condition.unlock()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty { condition.wait() }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            let results = referendum.commitVerified(batch.map { ($0.bytes, $0.ballot, $0.region) })
            commits += 1
            for (item, r) in zip(batch, results) { item.done.resume(returning: r) }
        }
    }
}
