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
    /// entries already kept (otherwise `StoreError.conflict`, and nothing is kept).
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
    /// The board is held by another process.
    case locked(String)
    case unavailable(String)

    public var description: String {
        switch self {
        case .config(let s): s
        case .corrupt(let s): "the board store is corrupt: \(s)"
        case let .conflict(expected, got):
            "the board has \(expected) entries; an append starting at entry \(got) was refused"
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
