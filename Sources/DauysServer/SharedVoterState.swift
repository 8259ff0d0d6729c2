import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysStore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Voter sessions in PostgreSQL, beside the board (docs/deployment.md): every front end on the
/// same board sees the same sessions, so a voter signed in through one is served by any other,
/// and a front end that dies takes no session with it. Tokens are kept as SHA-256 hashes; the
/// voter (the registry's row, which with the public credential beside it would link a person to
/// a ballot) only as HMAC-SHA256 under a key the front ends derive from the board key; times
/// as seconds since 2001-01-01 (`Date`'s own representation, so they come back exactly).
public final class PostgresVoterSessions: SessionStore {
    private let client: PostgresClient
    private let table: String
    public let ttl: TimeInterval
    public let perVoter: Int
    private let voterKey: SymmetricKey
    private let deadline: Duration
    private let logger = Logger(label: "dauys.sessions")

    /// Creates the table if needed. `voterKey`: the key voters are hashed under, the same on
    /// every front end (`voterKey(boardKey:)`).
    public static func create(
        on store: PostgresBoardStore, ttl: TimeInterval, perVoter: Int, voterKey: SymmetricKey
    ) async throws -> PostgresVoterSessions {
        let s = PostgresVoterSessions(
            client: store.client, table: "\(store.schema).voter_sessions", ttl: ttl,
            perVoter: perVoter, voterKey: voterKey, deadline: store.deadline)
        try await s.run {
            try await s.client.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(s.table) (
                            token BYTEA PRIMARY KEY, seq BIGSERIAL, voter BYTEA NOT NULL, region INTEGER NOT NULL,
                            credential BYTEA, opened DOUBLE PRECISION NOT NULL, expires DOUBLE PRECISION NOT NULL,
                            extensions INTEGER NOT NULL DEFAULT 0)
                        """), logger: s.logger)
            try await s.client.query(
                PostgresQuery(
                    unsafeSQL: "CREATE INDEX IF NOT EXISTS voter_sessions_voter ON \(s.table) (voter, seq)"),
                logger: s.logger)
        }
        return s
    }

    /// The key under which the front ends of one board hash voters: HKDF-SHA256 of the board's
    /// signing key (RFC 5869), so every front end derives the same one and nobody else can.
    public static func voterKey(boardKey: Curve25519.Signing.PrivateKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: boardKey.rawRepresentation), info: Array("dauys voter sessions".utf8),
            outputByteCount: 32)
    }

    private init(
        client: PostgresClient, table: String, ttl: TimeInterval, perVoter: Int, voterKey: SymmetricKey,
        deadline: Duration
    ) {
        self.voterKey = voterKey
        self.deadline = deadline
        self.client = client
        self.table = table
        self.ttl = ttl
        self.perVoter = max(1, perVoter)
    }

    /// Database failures reach the voter as "storage unavailable, try again" (503), and so
    /// does a call that does not answer within the board store's deadline (`withDeadline`).
    private func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await sharedStateCall("voter sessions", deadline, body)
    }

    public func open(voter: Int64, region: Int, credential: [UInt8]?, now: Date) async throws -> String {
        let token = "v_" + Hex.encode(SecureRandom.bytes(24))
        let key = ByteBuffer(bytes: DigestKey(Array(token.utf8)).bytes)
        let (table, logger, perVoter) = (self.table, self.logger, self.perVoter)
        let t = now.timeIntervalSinceReferenceDate
        let expires = t + ttl
        let cred = credential.map { ByteBuffer(bytes: $0) }
        let r = Int32(region)
        var id = ByteWriter(capacity: 8)
        id.u64(UInt64(bitPattern: voter))
        let voter = ByteBuffer(bytes: Array(HMAC<SHA256>.authenticationCode(for: id.bytes, using: voterKey)))
        try await run { [self] in
            try await client.withTransaction(logger: logger) { c in
                try await c.query(
                    """
                    INSERT INTO \(unescaped: table) (token, voter, region, credential, opened, expires)
                    VALUES (\(key), \(voter), \(r), \(cred), \(t), \(expires))
                    """, logger: logger)
                // Opening one more closes the oldest: keep the voter's newest `perVoter` live ones.
                try await c.query(
                    """
                    DELETE FROM \(unescaped: table) WHERE voter = \(voter) AND (expires <= \(t) OR token NOT IN (
                        SELECT token FROM \(unescaped: table) WHERE voter = \(voter) AND expires > \(t)
                        ORDER BY seq DESC LIMIT \(Int64(perVoter))))
                    """, logger: logger)
            }
            // Now and then, forget sessions that expired long ago.
            if UInt16.random(in: 0...UInt16.max) < 64 {
                try await client.query(
                    "DELETE FROM \(unescaped: table) WHERE expires < \(t - 3600)", logger: logger)
            }
        }
        return token
    }

    public func session(token: String, now: Date) async throws -> VoterSession? {
        let key = ByteBuffer(bytes: DigestKey(Array(token.utf8)).bytes)
        return try await run { [self] in
            try await one(
                client.query(
                    """
                    SELECT region, credential, opened, expires, extensions FROM \(unescaped: table)
                    WHERE token = \(key) AND expires > \(now.timeIntervalSinceReferenceDate)
                    """, logger: logger))
        }
    }

    public func extend(token: String, now: Date) async throws -> VoterSession? {
        let key = ByteBuffer(bytes: DigestKey(Array(token.utf8)).bytes)
        let t = now.timeIntervalSinceReferenceDate
        let max = Int32(VoterSession.maxExtensions)
        return try await run { [self] in
            try await one(
                client.query(
                    """
                    UPDATE \(unescaped: table) SET expires = \(t + ttl), extensions = extensions + 1
                    WHERE token = \(key) AND expires > \(t) AND extensions < \(max)
                    RETURNING region, credential, opened, expires, extensions
                    """, logger: logger))
        }
    }

    private func one(_ rows: PostgresRowSequence) async throws -> VoterSession? {
        for try await (region, credential, opened, expires, extensions) in rows.decode(
            (Int32, ByteBuffer?, Double, Double, Int32).self)
        {
            return VoterSession(
                region: Int(region), credential: credential.map { Array(buffer: $0) },
                opened: Date(timeIntervalSinceReferenceDate: opened),
                expires: Date(timeIntervalSinceReferenceDate: expires),
                extensions: Int(extensions))
        }
        return nil
    }
}

/// Sign-in counters in PostgreSQL, beside the board: all front ends count wrong codes
/// together, so spreading guesses over front ends gains an attacker nothing. Keys are hashes.
public final class PostgresSignInCounters: SignInCounters {
    private let client: PostgresClient
    private let table: String
    private let deadline: Duration
    private let logger = Logger(label: "dauys.signin")

    public static func create(on store: PostgresBoardStore) async throws -> PostgresSignInCounters {
        let s = PostgresSignInCounters(
            client: store.client, table: "\(store.schema).signin_counters", deadline: store.deadline)
        try await s.run {
            try await s.client.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(s.table) (
                            kind SMALLINT NOT NULL, key BYTEA NOT NULL, failures INTEGER NOT NULL,
                            last DOUBLE PRECISION NOT NULL, PRIMARY KEY (kind, key))
                        """), logger: s.logger)
        }
        return s
    }

    private init(client: PostgresClient, table: String, deadline: Duration) {
        self.client = client
        self.table = table
        self.deadline = deadline
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await sharedStateCall("sign-in counters", deadline, body)
    }

    public func counters(_ keys: [CounterKey]) async throws -> [SignInCounter?] {
        try await run { [self] in
            var out: [SignInCounter?] = []
            for k in keys {
                var found: SignInCounter? = nil
                let rows = try await client.query(
                    """
                    SELECT failures, last FROM \(unescaped: table)
                    WHERE kind = \(k.kind.rawValue) AND key = \(ByteBuffer(bytes: k.key.bytes))
                    """, logger: logger)
                for try await (failures, last) in rows.decode((Int32, Double).self) {
                    found = SignInCounter(failures: Int(failures), last: Date(timeIntervalSinceReferenceDate: last))
                }
                out.append(found)
            }
            return out
        }
    }

    public func bump(_ keys: [(CounterKey, window: TimeInterval)], now: Date) async throws {
        let t = now.timeIntervalSinceReferenceDate
        try await run { [self] in
            for (k, window) in keys {
                try await client.query(
                    """
                    INSERT INTO \(unescaped: table) AS c (kind, key, failures, last)
                    VALUES (\(k.kind.rawValue), \(ByteBuffer(bytes: k.key.bytes)), 1, \(t))
                    ON CONFLICT (kind, key) DO UPDATE SET
                        failures = CASE WHEN \(t) >= c.last + \(window) THEN 1 ELSE c.failures + 1 END, last = \(t)
                    """, logger: logger)
            }
        }
    }

    public func clear(_ keys: [CounterKey]) async throws {
        try await run { [self] in
            for k in keys {
                try await client.query(
                    """
                    DELETE FROM \(unescaped: table)
                    WHERE kind = \(k.kind.rawValue) AND key = \(ByteBuffer(bytes: k.key.bytes))
                    """, logger: logger)
            }
        }
    }
}

/// One call to the shared voter state: PostgreSQL errors and calls that do not answer within
/// `deadline` become `StoreError.unavailable`, which reaches the voter as 503 "try again".
private func sharedStateCall<T: Sendable>(
    _ what: String, _ deadline: Duration, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    do { return try await withDeadline(deadline, what, body) } catch let e as PSQLError {
        throw StoreError.unavailable("\(what): \(String(reflecting: e))")
    }
}
