import DauysCrypto
import DauysRecord
import Foundation
import Synchronization

/// Where the bulletin board lives. Appends are atomic and durable: when `append` returns,
/// the entries are on disk (or, for the in-memory store, in memory) with their chain hashes.
public protocol BoardStore: AnyObject, Sendable {
    /// Appends the payloads as consecutive entries, chaining their hashes, in one transaction.
    func append(_ items: [(EntryKind, [UInt8])], time: UInt64) throws -> [BoardEntry]
    /// Number of entries.
    func count() throws -> UInt64
    /// Entries with index in [from, from + limit).
    func entries(from: UInt64, limit: Int) throws -> [BoardEntry]
}

extension BoardStore {
    public func append(_ kind: EntryKind, _ payload: [UInt8], time: UInt64) throws -> BoardEntry {
        try append([(kind, payload)], time: time)[0]
    }
    /// Every entry, in order, read in pages.
    public func forEach(from: UInt64 = 0, _ body: (BoardEntry) throws -> Void) throws {
        var i = from
        while true {
            let page = try entries(from: i, limit: 4096)
            if page.isEmpty { return }
            for e in page { try body(e) }
            i += UInt64(page.count)
        }
    }
}

/// A board held in memory, for tests and one-shot simulations.
public final class MemoryBoardStore: BoardStore {
    private let state = Mutex<[BoardEntry]>([])
    public init() {}
    public func append(_ items: [(EntryKind, [UInt8])], time: UInt64) throws -> [BoardEntry] {
        state.withLock { all in
            let out = BoardEntry.chain(items, start: UInt64(all.count), previous: all.last?.hash ?? BoardEntry.zeroHash, time: time)
            all += out
            return out
        }
    }
    public func count() throws -> UInt64 { state.withLock { UInt64($0.count) } }
    public func entries(from: UInt64, limit: Int) throws -> [BoardEntry] {
        state.withLock { all in
            guard from < UInt64(all.count) else { return [] }
            return Array(all[Int(from)..<min(all.count, Int(from) + limit)])
        }
    }
}
