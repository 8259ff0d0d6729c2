import DauysRecord
import DauysReferendum
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The bulletin board in PostgreSQL, for scale and fail-over: any number of processes —
/// `dauys serve` front ends, officials' commands — may append to the same board.
///
/// Every append is one transaction that first takes a transaction-level advisory lock on the
/// board, so appends are serialised by the database, never by a process: the entries are kept
/// only if the first one continues the board as the database holds it — its index is the
/// number of entries kept (`StoreError.conflict` otherwise) and its hash chains onto the last
/// kept entry's hash (`StoreError.diverged` otherwise); if either fails, nothing is kept. A process whose view is out of date
/// re-reads the board and tries again (`Referendum`). Commits use the server's
/// `synchronous_commit`: with a synchronous standby named, `append` returns only once the
/// standby has the entries too (docs/deployment.md).
///
/// Connections come from a `PostgresClient` pool; the board's tables live in the schema given
/// (one schema per referendum).
public final class PostgresBoardStore: BoardStore {
    /// The connection pool, shared with the front end's voter sessions and sign-in limits.
    public let client: PostgresClient
    /// The schema holding this referendum's tables.
    public let schema: String
    private let runner: Task<Void, Never>
    private let writer: Bool
    private let table: String
    private let logger = Logger(label: "dauys.postgres")
    /// How long one database call may take before it fails as `unavailable` (`withDeadline`);
    /// appends and page reads get more for their size.
    public let deadline: Duration

    /// `url`: postgres://user:password@host:port/database; `schema`: a simple identifier.
    /// A store opened with `writer: false` refuses to append.
    public static func connect(
        url: String, schema: String = "dauys", writer: Bool = true, deadline: Duration = .seconds(5)
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
        let client = PostgresClient(
            configuration: .init(
                host: host, port: u.port ?? 5432, username: user, password: u.password,
                database: database, tls: .disable), backgroundLogger: logger)
        let runner = Task { await client.run() }
        let store = PostgresBoardStore(
            client: client, runner: runner, writer: writer, schema: schema, deadline: deadline)
        let table = store.table
        do {
            try await withDeadline(deadline, "creating the board's tables") {
                try await client.query(
                    PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
                try await client.query(
                    PostgresQuery(
                        unsafeSQL: """
                            CREATE TABLE IF NOT EXISTS \(table) (
                                idx BIGINT PRIMARY KEY, time BIGINT NOT NULL, kind SMALLINT NOT NULL,
                                payload BYTEA NOT NULL, hash BYTEA NOT NULL)
                            """), logger: logger)
            }
        } catch StoreError.unavailable(let why) {
            runner.cancel()
            throw StoreError.unavailable("PostgreSQL at \(host):\(u.port ?? 5432): \(why)")
        } catch {
            runner.cancel()
            throw StoreError.unavailable("PostgreSQL at \(host):\(u.port ?? 5432): \(String(reflecting: error))")
        }
        return store
    }

    private init(
        client: PostgresClient, runner: Task<Void, Never>, writer: Bool, schema: String, deadline: Duration
    ) {
        self.client = client
        self.deadline = deadline
        self.runner = runner
        self.writer = writer
        self.schema = schema
        self.table = "\(schema).board"
    }

    public func close() async { runner.cancel() }

    deinit { runner.cancel() }

    /// The advisory lock key of this board: one per schema.
    private var lockKey: String { "dauys-board:" + schema }

    public func append(_ entries: [BoardEntry]) async throws {
        guard !entries.isEmpty else { return }
        guard writer else { throw StoreError.locked("this board was opened for reading only") }
        let (table, logger, lockKey, client) = (self.table, self.logger, self.lockKey, self.client)
        // A second more for every megabyte: a whole country's credential lists are one append.
        let bytes = entries.reduce(0) { $0 + $1.payload.count }
        do {
            try await withDeadline(deadline + .seconds(bytes / 1_000_000), "appending to the board") {
                try await Self.appendInTransaction(
                    entries, client: client, table: table, lockKey: lockKey, logger: logger)
            }
        } catch let e as PostgresTransactionError {
            if let refused = e.closureError as? StoreError { throw refused }
            throw e
        }
    }

    private static func appendInTransaction(
        _ entries: [BoardEntry], client: PostgresClient, table: String, lockKey: String, logger: Logger
    ) async throws {
        let first = entries[0]
        try await client.withTransaction(logger: logger) { conn in
            // Held until commit or rollback: appends from all processes take turns here.
            try await conn.query("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", logger: logger)
            var next: UInt64 = 0
            var last = BoardEntry.zeroHash
            for try await (idx, hash) in try await conn.query(
                PostgresQuery(unsafeSQL: "SELECT idx, hash FROM \(table) ORDER BY idx DESC LIMIT 1"), logger: logger
            ).decode((Int64, ByteBuffer).self) {
                next = UInt64(idx) + 1
                last = Array(buffer: hash)
            }
            guard next == first.index else { throw StoreError.conflict(expected: next, got: first.index) }
            // The same index is not enough: after a fail-over the board may hold other entries
            // than the ones this process last saw. The first entry must chain onto the last kept.
            let link = BoardEntry.hash(
                index: first.index, previous: last, time: first.time, kind: first.kind, payload: first.payload)
            guard link == first.hash else { throw StoreError.diverged(at: first.index) }
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
        let (client, table, logger) = (self.client, self.table, self.logger)
        return try await withDeadline(deadline, "counting the board's entries") {
            var next: Int64 = 0
            for try await row in try await client.query(
                PostgresQuery(unsafeSQL: "SELECT COALESCE(MAX(idx) + 1, 0) FROM \(table)"), logger: logger)
            {
                next = try row.decode(Int64.self)
            }
            return UInt64(next)
        }
    }

    public func entries(from: UInt64, limit: Int) async throws -> [BoardEntry] {
        let (client, table, logger) = (self.client, self.table, self.logger)
        // Ten milliseconds more per entry asked for: a page of credential lists is large.
        return try await withDeadline(deadline + .milliseconds(10 * limit), "reading the board") {
            try await Self.read(client: client, table: table, from: from, limit: limit, logger: logger)
        }
    }

    private static func read(
        client: PostgresClient, table: String, from: UInt64, limit: Int, logger: Logger
    ) async throws -> [BoardEntry] {
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
