import DauysRecord
import DauysRegistry
import Foundation
import GRDB

/// The voter registry in its own SQLite file, apart from the public board. It holds, per
/// voter: the keyed hash of the IIN (for look-up and duplicate checks), region and precinct,
/// the sealed personal data, and — until the registrar destroys it — the link to the voter's
/// public credential. No IIN or name is stored in clear.
public final class SQLiteRegistry: Sendable {
    let db: DatabaseQueue

    public init(path: String) throws {
        var config = Configuration()
        // Several front ends on one machine may open the same registry at once (deployment.md).
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Deleted personal data and links are overwritten, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        db = try DatabaseQueue(path: path, configuration: config)
        try db.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS voter (
                        id INTEGER PRIMARY KEY,
                        iin_index BLOB NOT NULL UNIQUE,
                        region INTEGER NOT NULL,
                        precinct TEXT NOT NULL,
                        sealed BLOB NOT NULL,
                        credential_issued INTEGER NOT NULL DEFAULT 0,
                        signin_hash BLOB,
                        voted_on_paper INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE IF NOT EXISTS credential_link (
                        voter_id INTEGER PRIMARY KEY REFERENCES voter(id),
                        public_credential BLOB NOT NULL);
                    CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
                    """)
        }
        // Personal data: readable by its owner only, in a directory only its owner can list.
        chmod(path, 0o600)
        chmod((path as NSString).deletingLastPathComponent, 0o700)
    }

    /// Binds the registry to its key on first use and refuses any other key afterwards (by the
    /// key's check value, `RegistryCipher.keyCheckValue`).
    public func checkKey(_ cipher: RegistryCipher) throws {
        let kcv = Data(cipher.keyCheckValue)
        try db.write { db in
            if let stored = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE name = 'key_check'") {
                guard stored == kcv else {
                    throw RegistryError.badKey(
                        "the registry key does not open this registry (its key check value differs): use the key the voters were imported with"
                    )
                }
            } else {
                try db.execute(sql: "INSERT INTO meta (name, value) VALUES ('key_check', ?)", arguments: [kcv])
            }
        }
    }

    /// Imports checked rows in one transaction; refuses the whole list if any voter is
    /// already registered (reporting the lines).
    public func importVoters(_ rows: [VoterRow], cipher: RegistryCipher) throws -> Int {
        try checkKey(cipher)
        return try db.write { db in
            var problems: [ImportProblem] = []
            for r in rows
            where try Bool.fetchOne(
                db, sql: "SELECT 1 FROM voter WHERE iin_index = ?", arguments: [Data(cipher.index(r.iin))]) == true
            {
                problems.append(ImportProblem(line: r.line, reason: "this IIN is already in the registry"))
            }
            if !problems.isEmpty { throw RegistryError.refused(problems) }
            var next = (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM voter") ?? 0) + 1
            for r in rows {
                try db.execute(
                    sql: "INSERT INTO voter (id, iin_index, region, precinct, sealed) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        next, Data(cipher.index(r.iin)), r.region, r.precinct, Data(try cipher.seal(r, voterID: next)),
                    ])
                next += 1
            }
            return rows.count
        }
    }

    public func count() throws -> Int { try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM voter") ?? 0 } }

    public struct PendingVoter: Sendable {
        public let id: Int64
        public let region: Int
        public let precinct: String
        public let sealed: [UInt8]
    }

    /// Every registered voter as the credential authority needs it: registry number, region,
    /// precinct — no personal data.
    public func allVoters() throws -> [CredentialAuthority.Voter] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT id, region, precinct FROM voter ORDER BY id").map {
                CredentialAuthority.Voter(id: $0["id"], region: $0["region"], precinct: $0["precinct"])
            }
        }
    }

    /// Voters who have no credential yet.
    public func votersWithoutCredential() throws -> [PendingVoter] {
        try db.read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, region, precinct, sealed FROM voter WHERE credential_issued = 0 ORDER BY id"
            ).map {
                PendingVoter(
                    id: $0["id"], region: $0["region"], precinct: $0["precinct"], sealed: [UInt8]($0["sealed"] as Data))
            }
        }
    }

    /// Marks credentials as issued, keeps the voter ↔ public credential link and the keyed
    /// hash of the voter's sign-in code.
    public func recordIssued(_ links: [(Int64, [UInt8])], signIn: [Int64: [UInt8]] = [:]) throws {
        try db.write { db in
            for (id, cred) in links {
                try db.execute(
                    sql: "UPDATE voter SET credential_issued = 1, signin_hash = ? WHERE id = ?",
                    arguments: [signIn[id].map { Data($0) }, id])
                try db.execute(
                    sql: "INSERT OR REPLACE INTO credential_link (voter_id, public_credential) VALUES (?, ?)",
                    arguments: [id, Data(cred)])
            }
        }
    }

    /// Destroys every voter ↔ credential link: afterwards nobody, the registrar included, can
    /// tell whose credential signed which ballot.
    public func forgetCredentialLinks() throws -> Int {
        try db.write { db in
            let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM credential_link") ?? 0
            try db.execute(sql: "DELETE FROM credential_link")
            return n
        }
    }

    public func linkCount() throws -> Int {
        try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM credential_link") ?? 0 }
    }

    /// Checks a voter's IIN and sign-in code; returns the voter and region if they match.
    /// The IIN is only hashed, never stored or logged.
    /// The voter with this IIN and sign-in code (compared in constant time), if any. Async: the
    /// read runs on GRDB's reader, not on the request's thread.
    public func signIn(
        iin: IIN, code: String, cipher: RegistryCipher
    ) async throws -> (id: Int64, region: Int, credential: [UInt8]?)? {
        let index = Data(cipher.index(iin))
        let row = try await db.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT v.id, v.region, v.signin_hash, l.public_credential FROM voter v
                    LEFT JOIN credential_link l ON l.voter_id = v.id WHERE v.iin_index = ?
                    """, arguments: [index])
        }
        guard let row, let stored = row["signin_hash"] as Data? else { return nil }
        let given = cipher.signInHash(code)
        guard stored.count == given.count, zip(stored, given).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0 else {
            return nil
        }
        return (row["id"], row["region"], (row["public_credential"] as Data?).map { Array($0) })
    }

    /// Marks voters who received a paper ballot (from the precinct lists). Returns how many were
    /// marked and the IINs (by position in the list) that are not registered.
    public func markVotedOnPaper(_ iins: [IIN], cipher: RegistryCipher) throws -> (marked: Int, unknown: [Int]) {
        try checkKey(cipher)
        return try db.write { db in
            var marked = 0, unknown: [Int] = []
            for (i, iin) in iins.enumerated() {
                try db.execute(
                    sql: "UPDATE voter SET voted_on_paper = 1 WHERE iin_index = ?", arguments: [Data(cipher.index(iin))]
                )
                if db.changesCount == 1 { marked += 1 } else { unknown.append(i) }
            }
            return (marked, unknown)
        }
    }

    /// Public credentials of the voters marked as having voted on paper, with their precincts
    /// (needs the links).
    public func paperVoterCredentials() throws -> [(precinct: String, credential: [UInt8])] {
        try db.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT v.precinct, l.public_credential FROM voter v JOIN credential_link l ON l.voter_id = v.id
                    WHERE v.voted_on_paper = 1 ORDER BY v.precinct
                    """
            ).map { (precinct: $0["precinct"], credential: [UInt8]($0["public_credential"] as Data)) }
        }
    }

    /// Voters marked as having voted on paper whose link is already destroyed.
    public func paperVotersWithoutLink() throws -> Int {
        try db.read {
            try Int.fetchOne(
                $0,
                sql:
                    "SELECT COUNT(*) FROM voter v LEFT JOIN credential_link l ON l.voter_id = v.id WHERE v.voted_on_paper = 1 AND l.voter_id IS NULL"
            ) ?? 0
        }
    }

    /// Finds a voter by IIN through the keyed hash.
    public func find(iin: IIN, cipher: RegistryCipher) throws -> (id: Int64, region: Int, precinct: String)? {
        try checkKey(cipher)
        return try db.read { db in
            try Row.fetchOne(
                db, sql: "SELECT id, region, precinct FROM voter WHERE iin_index = ?",
                arguments: [Data(cipher.index(iin))]
            )
            .map { ($0["id"], $0["region"], $0["precinct"]) }
        }
    }
}
