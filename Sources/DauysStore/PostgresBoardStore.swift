import DauysRecord
import DauysReferendum
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The bulletin board in PostgreSQL, for scale (several servers reading, a managed database).
/// Every append is one transaction, committed with the server's `synchronous_commit = on`:
/// when `append` returns, the entries are durable. A writer holds a session-level advisory
/// lock on the board's schema for as long as it is open (one writer per board).
///
/// Connections come from a `PostgresClient` pool; the board's tables live in the schema given
/// (one schema per referendum).
public final class PostgresBoardStore: BoardStore {
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let lockHolder: PostgresConnection?
    private let table: String
    private let logger = Logger(label: "dauys.postgres")

    /// `url`: postgres://user:password@host:port/database; `schema`: a simple identifier.
    public static func connect(
        url: String, schema: String = "dauys", writer: Bool = true
    ) async throws -> PostgresBoardStore {
        guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw StoreError.config("schema name must be a simple lower-case identifier")
        }
        guard let u = URLComponents(string: url), ["postgres", "postgresql"].contains(u.scheme ?? ""),
            let host = u.host,
            let user = u.user
        else {
            throw StoreError.config("the PostgreSQL URL must look like postgres://user:password@host:5432/database")
        }
        let database = u.path.isEmpty ? nil : String(u.path.dropFirst())
        let logger = Logger(label: "dauys.postgres")
        var lockHolder: PostgresConnection? = nil
        if writer {
            let conf = PostgresConnection.Configuration(
                host: host, port: u.port ?? 5432, username: user, password: u.password,
                database: database, tls: .disable)
            let c = try await PostgresConnection.connect(configuration: conf, id: 0, logger: logger)
            let rows = try await c.query(
                "SELECT pg_try_advisory_lock(hashtext(\("dauys-board:" + schema)))", logger: logger)
            var held = false
            for try await row in rows { held = try row.decode(Bool.self) }
            guard held else {
                try? await c.close()
                throw StoreError.locked("the board in schema \(schema) is held by another process")
            }
            lockHolder = c
        }
        let client = PostgresClient(
            configuration: .init(
                host: host, port: u.port ?? 5432, username: user, password: u.password,
                database: database, tls: .disable), backgroundLogger: logger)
        let runner = Task { await client.run() }
        let store = PostgresBoardStore(client: client, runner: runner, lockHolder: lockHolder, table: "\(schema).board")
        try await client.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
        try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(store.table) (
                        idx BIGINT PRIMARY KEY, time BIGINT NOT NULL, kind SMALLINT NOT NULL, payload BYTEA NOT NULL, hash BYTEA NOT NULL)
                    """), logger: logger)
        return store
    }

    private init(client: PostgresClient, runner: Task<Void, Never>, lockHolder: PostgresConnection?, table: String) {
        self.client = client
        self.runner = runner
        self.lockHolder = lockHolder
        self.table = table
    }

    public func close() async {
        runner.cancel()
        try? await lockHolder?.close()
    }

    deinit {
        runner.cancel()
        if let c = lockHolder { Task { try? await c.close() } }
    }

    public func append(_ entries: [BoardEntry]) async throws {
        guard let first = entries.first else { return }
        guard lockHolder != nil else { throw StoreError.locked("this board was opened for reading only") }
        let (table, logger) = (self.table, self.logger)
        try await client.withTransaction(logger: logger) { conn in
            var next: Int64 = 0
            for try await row in try await conn.query(
                PostgresQuery(unsafeSQL: "SELECT COALESCE(MAX(idx) + 1, 0) FROM \(table)"), logger: logger)
            {
                next = try row.decode(Int64.self)
            }
            guard UInt64(next) == first.index else {
                throw StoreError.conflict(expected: UInt64(next), got: first.index)
            }
            // At most 65,535 parameters per statement: 5 per entry.
            for start in stride(from: 0, to: entries.count, by: 10_000) {
                let chunk = entries[start..<min(start + 10_000, entries.count)]
                var binds = PostgresBindings(capacity: chunk.count * 5)
                var values: [String] = []
                for (n, e) in chunk.enumerated() {
                    let b = n * 5
                    values.append("($\(b + 1), $\(b + 2), $\(b + 3), $\(b + 4), $\(b + 5))")
                    binds.append(Int64(e.index))
                    binds.append(Int64(e.time))
                    binds.append(Int16(e.kind.rawValue))
                    binds.append(ByteBuffer(bytes: e.payload))
                    binds.append(ByteBuffer(bytes: e.hash))
                }
                let sql =
                    "INSERT INTO \(table) (idx, time, kind, payload, hash) VALUES " + values.joined(separator: ", ")
                try await conn.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            }
        }
    }

    public func count() async throws -> UInt64 {
        var next: Int64 = 0
        for try await row in try await client.query(
            PostgresQuery(unsafeSQL: "SELECT COALESCE(MAX(idx) + 1, 0) FROM \(table)"), logger: logger)
        {
            next = try row.decode(Int64.self)
        }
        return UInt64(next)
    }

    public func entries(from: UInt64, limit: Int) async throws -> [BoardEntry] {
        var binds = PostgresBindings()
        binds.append(Int64(from))
        binds.append(Int64(limit))
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: "SELECT idx, time, kind, payload, hash FROM \(table) WHERE idx >= $1 ORDER BY idx LIMIT $2",
                binds: binds),
            logger: logger)
        var out: [BoardEntry] = []
        for try await (idx, time, kind, payload, hash) in rows.decode(
            (Int64, Int64, Int16, ByteBuffer, ByteBuffer).self)
        {
            guard let k = EntryKind(rawValue: UInt8(truncatingIfNeeded: kind)) else {
                throw StoreError.corrupt("entry \(idx) has unknown kind \(kind)")
            }
            out.append(
                BoardEntry(
                    index: UInt64(idx), time: UInt64(time), kind: k, payload: Array(buffer: payload),
                    storedHash: Array(buffer: hash)))
        }
        return out
    }
}
