import DauysRecord
import DauysReferendum
import Foundation
import GRDB

/// The bulletin board in an SQLite file (WAL journal, `synchronous = FULL`): a commit returns
/// only once the entries are on disk, so an acknowledged ballot survives a kill -9 or a power
/// cut. One writer at a time (serialized by GRDB); readers never block it.
public final class SQLiteBoardStore: BoardStore, @unchecked Sendable {
    private let db: DatabasePool
    private let lock = NSLock()
    private var lastHash: [UInt8] = BoardEntry.zeroHash
    private var nextIndex: UInt64 = 0

    public init(path: String) throws {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        db = try DatabasePool(path: path, configuration: config)
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS board (
                    idx INTEGER PRIMARY KEY,
                    time INTEGER NOT NULL,
                    kind INTEGER NOT NULL,
                    payload BLOB NOT NULL,
                    hash BLOB NOT NULL)
                """)
        }
        try db.read { db in
            if let row = try Row.fetchOne(db, sql: "SELECT idx, hash FROM board ORDER BY idx DESC LIMIT 1") {
                nextIndex = UInt64(row["idx"] as Int64) + 1
                lastHash = [UInt8](row["hash"] as Data)
            }
        }
    }

    public func append(_ items: [(EntryKind, [UInt8])], time: UInt64) throws -> [BoardEntry] {
        lock.lock(); defer { lock.unlock() }
        let entries = BoardEntry.chain(items, start: nextIndex, previous: lastHash, time: time)
        try db.write { db in
            let stmt = try db.cachedStatement(sql: "INSERT INTO board (idx, time, kind, payload, hash) VALUES (?, ?, ?, ?, ?)")
            for e in entries {
                try stmt.execute(arguments: [Int64(e.index), Int64(e.time), Int(e.kind.rawValue), Data(e.payload), Data(e.hash)])
            }
        }
        if let last = entries.last {
            lastHash = last.hash
            nextIndex = last.index + 1
        }
        return entries
    }

    public func count() throws -> UInt64 {
        lock.lock(); defer { lock.unlock() }
        return nextIndex
    }

    public func entries(from: UInt64, limit: Int) throws -> [BoardEntry] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT idx, time, kind, payload, hash FROM board WHERE idx >= ? ORDER BY idx LIMIT ?",
                             arguments: [Int64(from), limit]).map { row in
                BoardEntry(index: UInt64(row["idx"] as Int64), time: UInt64(row["time"] as Int64),
                           kind: EntryKind(rawValue: UInt8(row["kind"] as Int))!,
                           payload: [UInt8](row["payload"] as Data), storedHash: [UInt8](row["hash"] as Data))
            }
        }
    }
}
