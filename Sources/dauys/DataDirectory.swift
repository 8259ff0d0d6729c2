import ArgumentParser
import AsyncHTTPClient
import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysStore
import Foundation
import NIOCore

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ s: String) { description = s }
}

/// Writes a file readable by its owner only.
func writeSecret(_ data: some DataProtocol, to path: String) throws { try SecretFile.write(data, to: path) }

/// A command body that works for every group; `dispatch` picks the group from the manifest.
protocol GroupCommand: GroupDispatch where Output == Void {}

/// Where the board is: a data directory on this machine (this process then becomes the
/// board's one writer) or a running server, reached with an official's token.
struct DataOption: ParsableArguments {
    @Option(name: .long, help: "The referendum's data directory (on this machine).") var data: String?
    @Option(
        name: .customLong("board-url"),
        help:
            "Keep the board in PostgreSQL (postgres://user:password@host:5432/db) instead of SQLite; default $DAUYS_BOARD_URL."
    )
    var boardURL: String?
    @Option(name: .customLong("board-schema"), help: "PostgreSQL schema of this referendum's board.") var boardSchema =
        "dauys"
    @Option(help: "Act through a running server's API (http://host:port) instead of the board files.") var server:
        String?
    @Option(help: "The official's API token for --server (default: $DAUYS_TOKEN).") var token: String?

    var dir: DataDirectory {
        DataDirectory(
            path: data ?? ".",
            boardURL: boardURL
                ?? ProcessInfo.processInfo.environment["DAUYS_BOARD_URL"].flatMap { $0.isEmpty ? nil : $0 },
            boardSchema: boardSchema)
    }

    func requireData() throws -> String {
        guard let data else { throw CLIError("give --data DIR: this command works on the board files of this machine") }
        return data
    }

    var remote: RemoteServer? {
        server.map {
            RemoteServer(
                base: $0.hasSuffix("/") ? String($0.dropLast()) : $0,
                token: token ?? ProcessInfo.processInfo.environment["DAUYS_TOKEN"])
        }
    }

    /// The board to write to.
    func access<G: PrimeOrderGroup>(_: G.Type) async throws -> any BoardAccess<G> {
        if let remote { return RemoteBoard<G>(server: remote) }
        _ = try requireData()
        do { return try await dir.open(G.self) } catch StoreError.locked(let why) {
            throw CLIError("\(why): a running server holds this board; act through it with --server URL --token TOKEN")
        }
    }

    /// The board's state to read: rebuilt from the server's entries, or read from the data
    /// directory without taking the writer lock.
    func state<G: PrimeOrderGroup>(_: G.Type) async throws -> BoardState<G> {
        if let remote { return try await RemoteBoard<G>(server: remote).fetchState() }
        _ = try requireData()
        return try await dir.open(G.self, writer: false).state
    }

    /// The group the referendum's manifest names.
    func group() async throws -> String {
        if let remote { return try await remote.manifest().group }
        _ = try requireData()
        return try await dir.manifest().group
    }
}

func say(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

/// What a command may do to a board, wherever it is.
protocol BoardAccess<G>: Sendable {
    associatedtype G: PrimeOrderGroup
    func fetchState() async throws -> BoardState<G>
    func advance(to: Phase) async throws
    /// Trustees' signed messages: keys, shares, complaints, reveals, decryption shares.
    func post(_ messages: [SignedTrusteeMessage]) async throws
    func finishKeyCeremony() async throws -> ElectionKeyRecord<G>
    /// Credential lists signed by the credential authority; returns how many were new.
    func publishCredentials(_ lists: [CredentialList<G>]) async throws -> Int
    func publishEligibleCounts(_ counts: EligibleCounts) async throws
    /// Revocations signed by the registry; returns how many were new.
    func revoke(_ lists: [RevokedCredentials<G>]) async throws -> Int
    func computeTally() async throws -> EncryptedTally<G>
    func publishResults() async throws -> Results
    /// Commission keys registered by the central commission; returns how many were new.
    func registerCommissions(_ regs: [CommissionRegistration]) async throws -> Int
    /// Signed protocol versions, all or none; returns how many were new.
    func submitProtocols(_ list: [CommissionSigned<PrecinctProtocol>]) async throws -> Int
    func submitTurnout(_ r: [CommissionSigned<TurnoutReport>]) async throws -> Int
    func publishOfficialResult(_ r: SignedOfficialResult) async throws
    /// A later closing time signed by the central commission.
    func extendVoting(_ x: VotingExtension) async throws
}

extension Referendum: BoardAccess {
    func fetchState() async throws -> BoardState<G> { state }
}

/// A board entry as `GET /api/v1/board` sends it: payload in base64, hash in hex.
struct EntryJSON: Codable {
    let index: UInt64
    let time: UInt64
    let kind: UInt8
    let payload: String
    let hash: String
    init(_ e: BoardEntry) {
        index = e.index
        time = e.time
        kind = e.kind.rawValue
        payload = Data(e.payload).base64EncodedString()
        hash = Hex.encode(e.hash)
    }
}

/// A running Dauys server, spoken to through API v1.
struct RemoteServer: Sendable {
    let base: String
    let token: String?

    func get(_ path: String) async throws -> [UInt8] {
        let r = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: base + "/api/v1/" + path), timeout: .seconds(60))
        let body = try await r.body.collect(upTo: 512 * 1024 * 1024)
        guard r.status.code == 200 else { throw CLIError("GET \(path): \(Self.describe(r.status.code, body))") }
        return Array(buffer: body)
    }

    /// POSTs JSON with the official's token (or `bearer`); returns the body of a 2xx answer.
    @discardableResult
    func post(_ path: String, _ body: some Encodable, bearer: String? = nil) async throws -> [UInt8] {
        var req = HTTPClientRequest(url: base + "/api/v1/" + path)
        req.method = .POST
        req.headers.add(name: "Content-Type", value: "application/json")
        if let t = bearer ?? token { req.headers.add(name: "Authorization", value: "Bearer \(t)") }
        req.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let r = try await HTTPClient.shared.execute(req, timeout: .seconds(600))
        let data = try await r.body.collect(upTo: 64 * 1024 * 1024)
        guard (200..<300).contains(r.status.code) else {
            throw CLIError("the server refused: \(Self.describe(r.status.code, data))")
        }
        return Array(buffer: data)
    }

    static func describe(_ status: UInt, _ body: ByteBuffer) -> String {
        struct E: Decodable {
            struct D: Decodable {
                let code: String
                let message: String
            }
            let error: D
        }
        if let e = try? JSONDecoder().decode(E.self, from: Data(body.readableBytesView)) {
            return "\(e.error.message) (HTTP \(status), \(e.error.code))"
        }
        return "HTTP \(status)"
    }

    func manifest() async throws -> Manifest { try CanonicalJSON.decode(Manifest.self, try await get("manifest")) }

    /// Number of entries on the server's board.
    func count() async throws -> UInt64 {
        struct Status: Decodable {
            let boardEntries: UInt64
            enum CodingKeys: String, CodingKey { case boardEntries = "board_entries" }
        }
        return try JSONDecoder().decode(Status.self, from: Data(try await get("status"))).boardEntries
    }

    /// The board's entries, read page by page from the server (at most `limit`).
    func entries(from: UInt64, limit: Int = .max) async throws -> [BoardEntry] {
        struct Page: Decodable {
            let entries: [EntryJSON]
            let next: UInt64
        }
        var out: [BoardEntry] = []
        var i = from
        while true {
            let want = min(1000, limit - out.count)
            if want <= 0 { return out }
            let page = try JSONDecoder().decode(
                Page.self, from: Data(try await get("board?from=\(i)&limit=\(want)")))
            if page.entries.isEmpty { return out }
            for e in page.entries {
                guard let k = EntryKind(rawValue: e.kind), let p = Data(base64Encoded: e.payload) else {
                    throw CLIError("the server sent an unreadable entry \(e.index)")
                }
                out.append(
                    BoardEntry(
                        index: e.index, time: e.time, kind: k, payload: Array(p), storedHash: try Hex.decode(e.hash)))
            }
            i = page.next
        }
    }
}

/// A board behind a server: its state is rebuilt here from the entries the server publishes,
/// checked by the same rules as everywhere (a server that sends a board breaking them is
/// refused), and every write goes through the API with the official's token.
struct RemoteBoard<G: PrimeOrderGroup>: BoardAccess {
    let server: RemoteServer

    func fetchState() async throws -> BoardState<G> {
        let all = try await server.entries(from: 0)
        do throws(BoardViolation) { return try BoardState<G>.replay(all) } catch {
            throw CLIError(
                "the server's board breaks a rule of the board: \(error.message) (check: \(error.check.rawValue))")
        }
    }

    func payload(_ bytes: [UInt8]) -> [String: String] { ["payload": Hex.encode(bytes)] }

    func advance(to p: Phase) async throws { try await server.post("phase", ["next": p.rawValue]) }
    /// Each kind to its endpoint, with the signed payload; shares in one request.
    func post(_ messages: [SignedTrusteeMessage]) async throws {
        let shares = messages.filter { $0.kind == .encryptedShare }.map { Hex.encode($0.payload) }
        if !shares.isEmpty { try await server.post("ceremony/shares", ["payloads": shares]) }
        let paths: [EntryKind: String] = [
            .trusteeCommitment: "ceremony/commitments", .trusteeKey: "ceremony/trustee-keys",
            .complaint: "ceremony/complaints", .shareAcknowledgement: "ceremony/acknowledgements",
            .shareReveal: "ceremony/reveals",
            .decryptionShares: "decryptions",
        ]
        for m in messages where m.kind != .encryptedShare { try await server.post(paths[m.kind]!, payload(m.payload)) }
    }
    func finishKeyCeremony() async throws -> ElectionKeyRecord<G> {
        try await server.post("ceremony/finish", [String: String]())
        guard let ek = try await fetchState().electionKey else {
            throw CLIError("the server published no election key")
        }
        return ek
    }
    /// Posts payloads; the server answers how many were new.
    func postNew(_ path: String, _ payloads: [[UInt8]]) async throws -> Int {
        let body = try await server.post(path, ["payloads": payloads.map { Hex.encode($0) }])
        return try JSONDecoder().decode(NewEntries.self, from: Data(body)).new
    }
    func publishCredentials(_ lists: [CredentialList<G>]) async throws -> Int {
        try await postNew("credentials", lists.map(\.payload))
    }
    func publishEligibleCounts(_ counts: EligibleCounts) async throws {
        try await server.post("eligible-counts", payload(counts.payload))
    }
    func revoke(_ lists: [RevokedCredentials<G>]) async throws -> Int {
        try await postNew("revocations", lists.map(\.payload))
    }
    func registerCommissions(_ regs: [CommissionRegistration]) async throws -> Int {
        try await postNew("commissions", regs.map(\.payload))
    }
    /// In requests of at most 200 protocols (the server's paper body limit); a re-run after an
    /// interruption skips what is on the board already.
    func submitProtocols(_ list: [CommissionSigned<PrecinctProtocol>]) async throws -> Int {
        var n = 0
        for s in stride(from: 0, to: list.count, by: 200) {
            n += try await postNew("protocols", list[s..<min(s + 200, list.count)].map(\.payload))
        }
        return n
    }
    func submitTurnout(_ r: [CommissionSigned<TurnoutReport>]) async throws -> Int {
        for t in r { try await server.post("turnout-reports", payload(t.payload)) }
        return r.count
    }
    func publishOfficialResult(_ r: SignedOfficialResult) async throws {
        try await server.post("official-result", payload(r.payload))
    }
    func extendVoting(_ x: VotingExtension) async throws {
        try await server.post("voting-extensions", payload(x.payload))
    }
    func computeTally() async throws -> EncryptedTally<G> {
        try await server.post("tally", [String: String]())
        guard let t = try await fetchState().tally else { throw CLIError("the server published no tally") }
        return t
    }
    func publishResults() async throws -> Results {
        try CanonicalJSON.decode(Results.self, try await server.post("results", [String: String]()))
    }
}

struct CredentialsBody: Encodable {
    let region: String
    let credentials: [String]
}
struct SessionAnswer: Decodable { let token: String }
/// A server's answer to a batch: how many entries were new.
struct NewEntries: Decodable { let new: Int }
