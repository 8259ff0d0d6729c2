import DauysCrypto
import DauysRecord
import Foundation
import NIOConcurrencyHelpers

/// Where the bulletin board lives. The store keeps entries; it does not judge them: the
/// lifecycle chains and checks every entry against the board state before it asks the store
/// to keep it, so a store never holds an entry the state cannot replay.
///
/// `append` is atomic and durable: when it returns, all the entries are on disk (or, for the
/// in-memory store, in memory); when it throws, the caller cannot know whether they were
/// kept and must read the store again (`Referendum` does).
public protocol BoardStore: AnyObject, Sendable {
    /// Keeps entries that continue the board: the first one's index must be the number of
    /// entries already kept (otherwise `StoreError.conflict`, and nothing is kept). A store
    /// several processes append to also checks that the first entry chains onto the last one
    /// kept (otherwise `StoreError.diverged`).
    func append(_ entries: [BoardEntry]) async throws
    /// Number of entries kept.
    func count() async throws -> UInt64
    /// Entries with index in [from, from + limit), in order.
    func entries(from: UInt64, limit: Int) async throws -> [BoardEntry]
    /// Releases the board (its writer lock, its connections); the store is not used after.
    func close() async
}

extension BoardStore {
    /// Every entry from `from` on, in order, read in pages.
    public func forEach(from: UInt64 = 0, pageSize: Int = 4096, _ body: (BoardEntry) async throws -> Void) async throws
    {
        var i = from
        while true {
            let page = try await entries(from: i, limit: pageSize)
            if page.isEmpty { return }
            for e in page { try await body(e) }
            i += UInt64(page.count)
        }
    }
}

/// Why the store could not do what was asked.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case config(String)
    case corrupt(String)
    /// The entries do not continue the board as the store holds it (another writer, or a
    /// writer whose view of the board is out of date).
    case conflict(expected: UInt64, got: UInt64)
    /// Entry `at` does not chain onto the board as the store holds it: the writer's view of
    /// the board is not the board (another writer, or entries lost in a database fail-over
    /// that the writer had read but that were never acknowledged).
    case diverged(at: UInt64)
    /// The board is held by another process.
    case locked(String)
    case unavailable(String)

    public var description: String {
        switch self {
        case .config(let s): s
        case .corrupt(let s): "the board store is corrupt: \(s)"
        case let .conflict(expected, got):
            "the board has \(expected) entries; an append starting at entry \(got) was refused"
        case .diverged(let at):
            "entry \(at) does not continue the board as the store holds it; the board is read again"
        case .locked(let s): s
        case .unavailable(let s): "the board store is unavailable: \(s)"
        }
    }
}

/// A board held in memory, for tests and one-shot simulations.
public final class MemoryBoardStore: BoardStore {
    private let state = NIOLockedValueBox<[BoardEntry]>([])
    public init() {}
    public func append(_ entries: [BoardEntry]) async throws {
        try state.withLockedValue { all in
            if let first = entries.first, first.index != UInt64(all.count) {
                throw StoreError.conflict(expected: UInt64(all.count), got: first.index)
            }
            all += entries
        }
    }
    public func count() async throws -> UInt64 { state.withLockedValue { UInt64($0.count) } }
    public func close() async {}
    public func entries(from: UInt64, limit: Int) async throws -> [BoardEntry] {
        state.withLockedValue { all in
            guard from < UInt64(all.count) else { return [] }
            return Array(all[Int(from)..<min(all.count, Int(from) + limit)])
        }
    }
}

/// A lock that may be held across suspension points: one holder at a time, waiters resumed
/// in arrival order. Serialises the board's writers without blocking a thread.
public final class AsyncLock: Sendable {
    private let state = NIOLockedValueBox<(held: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init() {}

    public func lock() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLockedValue { s in
                if !s.held {
                    s.held = true
                    return true
                }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    public func unlock() {
        let next = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            if s.waiters.isEmpty {
                s.held = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }

    public func withLock<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await lock()
        defer { unlock() }
        return try await body()
    }
}

/// Where the board's entry times come from (record.md §5.5). The board never dates an entry
/// before the one before it, whatever its clock says.
public struct BoardClock: Sendable {
    private let read: @Sendable (_ phase: Phase, _ notBefore: UInt64) -> UInt64

    /// The time (ms since 1970) for an entry posted in `phase`. `notBefore` is when the
    /// entry's event happens at the earliest (a turnout report's hour, the closing time): a
    /// rehearsal moves its clock there; a real clock ignores it, and the board refuses an
    /// entry that comes too early.
    public func now(phase: Phase, notBefore: UInt64 = 0) -> UInt64 { read(phase, notBefore) }

    /// The machine's clock: what a real referendum runs on.
    public static let wall = BoardClock { _, _ in UInt64(Date().timeIntervalSince1970 * 1000) }

    /// A clock a test drives.
    public static func custom(_ f: @escaping @Sendable () -> UInt64) -> BoardClock { BoardClock { _, _ in f() } }

    /// A rehearsal of the manifest's voting day, for simulations, tests and demonstrations
    /// run on any day: setup and the key ceremony an hour before voting opens, ballots from
    /// `voting_opens` on, everything after the close from `voting_closes` on; each entry a
    /// millisecond after the last, or at the time its event happens. The record it writes
    /// follows the schedule rule like any other; it says nothing about when it really ran.
    public static func rehearsal(_ schedule: Schedule) -> BoardClock {
        let (opens, closes) = schedule.window ?? (0, 0)
        let last = NIOLockedValueBox<UInt64>(0)
        return BoardClock { phase, notBefore in
            let base: UInt64 =
                phase < .votingOpen ? opens - min(opens, 3_600_000) : phase == .votingOpen ? opens : closes
            return last.withLockedValue { t in
                t = max(t + 1, base, notBefore)
                return t
            }
        }
    }
}
