import DauysRecord
import DauysReferendum
import Foundation
import GRDB
import NIOConcurrencyHelpers

/// The bulletin board in an SQLite file (WAL journal, `synchronous = FULL`): an append returns
/// only once the entries are on disk, so an acknowledged ballot survives a kill -9 or a power
/// cut. A writer holds the board's lock file for as long as it is open (one writer per board);
/// readers need no lock and never block the writer.
public final class SQLiteBoardStore: BoardStore {
    private let db: DatabasePool
    private let lock: BoardLock?

    /// Opens (or creates) the board at `path`; `writer` takes the lock `path.lock`, and fails
    /// with `StoreError.locked` if another process holds it.
    public init(path: String, writer: Bool = true) throws {
        lock = writer ? try BoardLock(path: path + ".lock") : nil
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        db = try DatabasePool(path: path, configuration: config)
        try db.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS board (
                        idx INTEGER PRIMARY KEY,
                        time INTEGER NOT NULL,
                        kind INTEGER NOT NULL,
                        payload BLOB NOT NULL,
                        hash BLOB NOT NULL)
                    """)
        }
    }

    public func append(_ entries: [BoardEntry]) async throws {
        guard let first = entries.first else { return }
        guard let lock, lock.isHeld else { throw StoreError.locked("this board was opened for reading only") }
        try await db.write { db in
            let next = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(idx) + 1, 0) FROM board") ?? 0
            guard UInt64(next) == first.index else {
                throw StoreError.conflict(expected: UInt64(next), got: first.index)
            }
            let stmt = try db.cachedStatement(
                sql: "INSERT INTO board (idx, time, kind, payload, hash) VALUES (?, ?, ?, ?, ?)")
            for e in entries {
                try stmt.execute(arguments: [
                    Int64(e.index), Int64(e.time), Int(e.kind.rawValue), Data(e.payload), Data(e.hash),
                ])
            }
        }
    }

    public func close() async {
        lock?.release()
    }

    public func count() async throws -> UInt64 {
        UInt64(
            try await db.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(idx) + 1, 0) FROM board") ?? 0 })
    }

    public func entries(from: UInt64, limit: Int) async throws -> [BoardEntry] {
        try await db.read { db in
            try Row.fetchAll(
                db, sql: "SELECT idx, time, kind, payload, hash FROM board WHERE idx >= ? ORDER BY idx LIMIT ?",
                arguments: [Int64(from), limit]
            ).map { row in
                let idx: Int64 = row["idx"], kind: Int = row["kind"]
                guard let k = EntryKind(rawValue: UInt8(truncatingIfNeeded: kind)) else {
                    throw StoreError.corrupt("entry \(idx) has unknown kind \(kind)")
                }
                return BoardEntry(
                    index: UInt64(idx), time: UInt64(row["time"] as Int64), kind: k,
                    payload: [UInt8](row["payload"] as Data), storedHash: [UInt8](row["hash"] as Data))
            }
        }
    }
}

/// An exclusive lock on a board, held through an open lock file (`flock`) that names the
/// holder's process id; released when the holder closes it or dies.
public final class BoardLock: Sendable {
    private let fd: NIOLockedValueBox<Int32>

    public init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError.config("cannot open the board lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buf = [UInt8](repeating: 0, count: 32)
            let n = read(fd, &buf, buf.count)
            close(fd)
            let holder =
                n > 0
                ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            throw StoreError.locked("the board is held by another process (pid \(holder))")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        self.fd = NIOLockedValueBox(fd)
    }

    public var isHeld: Bool { fd.withLockedValue { $0 >= 0 } }

    /// Gives the lock up (also done when the holder is dropped).
    public func release() {
        fd.withLockedValue { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    deinit { release() }
}
