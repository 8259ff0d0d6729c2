import DauysRecord
import DauysReferendum
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The bulletin board in PostgreSQL, for scale (several servers reading, a managed database).
/// A batch of entries is one multi-row INSERT, committed with the server's default
/// `synchronous_commit = on`: when `append` returns, the entries are durable.
///
/// Two connections: one for appends (serialized), one for reads. The board's tables live in
/// the schema given (one schema per referendum).
public final class PostgresBoardStore: BoardStore, @unchecked Sendable {
    private let writer: PostgresConnection
    private let reader: PostgresConnection
    private let writeLock = NSLock()
    private let readLock = NSLock()
    private let table: String
    private let logger = Logger(label: "dauys.postgres")
    private var lastHash: [UInt8] = BoardEntry.zeroHash
    private var nextIndex: UInt64 = 0

    /// `url`: postgres://user:password@host:port/database; `schema`: a simple identifier.
    public init(url: String, schema: String = "dauys") throws {
        guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw StoreError.config("schema name must be a simple lower-case identifier")
        }
        guard let u = URLComponents(string: url), ["postgres", "postgresql"].contains(u.scheme ?? ""), let host = u.host, let user = u.user else {
            throw StoreError.config("the PostgreSQL URL must look like postgres://user:password@host:5432/database")
        }
        let config = PostgresConnection.Configuration(
            host: host, port: u.port ?? 5432, username: user, password: u.password,
            database: u.path.isEmpty ? nil : String(u.path.dropFirst()), tls: .disable)
        let group = MultiThreadedEventLoopGroup.singleton
        writer = try PostgresConnection.connect(on: group.next(), configuration: config, id: 1, logger: logger).wait()
        reader = try PostgresConnection.connect(on: group.next(), configuration: config, id: 2, logger: logger).wait()
        table = "\(schema).board"
        _ = try writer.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger).wait()
        _ = try writer.query(PostgresQuery(unsafeSQL: """
            CREATE TABLE IF NOT EXISTS \(table) (
                idx BIGINT PRIMARY KEY, time BIGINT NOT NULL, kind SMALLINT NOT NULL, payload BYTEA NOT NULL, hash BYTEA NOT NULL)
            """), logger: logger).wait()
        let rows = try writer.query(PostgresQuery(unsafeSQL: "SELECT idx, hash FROM \(table) ORDER BY idx DESC LIMIT 1"), logger: logger).wait()
        for row in rows {
            let (idx, hash) = try row.decode((Int64, ByteBuffer).self)
            nextIndex = UInt64(idx) + 1
            lastHash = Array(buffer: hash)
        }
    }

    deinit {
        try? writer.close().wait()
        try? reader.close().wait()
    }

    public func append(_ items: [(EntryKind, [UInt8])], time: UInt64) throws -> [BoardEntry] {
        writeLock.lock(); defer { writeLock.unlock() }
        let entries = BoardEntry.chain(items, start: nextIndex, previous: lastHash, time: time)
        // At most 65,535 parameters per statement: 5 per entry.
        for chunk in stride(from: 0, to: entries.count, by: 10_000).map({ entries[$0..<min($0 + 10_000, entries.count)] }) {
            var binds = PostgresBindings(capacity: chunk.count * 5)
            var values: [String] = []
            for (n, e) in chunk.enumerated() {
                let b = n * 5
                values.append("($\(b + 1), $\(b + 2), $\(b + 3), $\(b + 4), $\(b + 5))")
                binds.append(Int64(e.index)); binds.append(Int64(e.time)); binds.append(Int16(e.kind.rawValue))
                binds.append(ByteBuffer(bytes: e.payload)); binds.append(ByteBuffer(bytes: e.hash))
            }
            let sql = "INSERT INTO \(table) (idx, time, kind, payload, hash) VALUES " + values.joined(separator: ", ")
            _ = try writer.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).wait()
        }
        if let last = entries.last {
            lastHash = last.hash
            nextIndex = last.index + 1
        }
        return entries
    }

    public func count() throws -> UInt64 {
        writeLock.lock(); defer { writeLock.unlock() }
        return nextIndex
    }

    public func entries(from: UInt64, limit: Int) throws -> [BoardEntry] {
        readLock.lock(); defer { readLock.unlock() }
        var binds = PostgresBindings()
        binds.append(Int64(from)); binds.append(Int64(limit))
        let rows = try reader.query(PostgresQuery(unsafeSQL: "SELECT idx, time, kind, payload, hash FROM \(table) WHERE idx >= $1 ORDER BY idx LIMIT $2", binds: binds),
                                    logger: logger).wait()
        return try rows.map { row in
            let (idx, time, kind, payload, hash) = try row.decode((Int64, Int64, Int16, ByteBuffer, ByteBuffer).self)
            guard let k = EntryKind(rawValue: UInt8(kind)) else { throw StoreError.corrupt("entry \(idx) has unknown kind \(kind)") }
            return BoardEntry(index: UInt64(idx), time: UInt64(time), kind: k, payload: Array(buffer: payload), storedHash: Array(buffer: hash))
        }
    }
}

public enum StoreError: Error, CustomStringConvertible {
    case config(String)
    case corrupt(String)
    public var description: String {
        switch self {
        case .config(let s): s
        case .corrupt(let s): "the board store is corrupt: \(s)"
        }
    }
}
