import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import Foundation

/// The working files of one referendum on the commission's machine:
/// `board.sqlite` (the bulletin board, unless it lives in PostgreSQL), `board.key` (the
/// board's Ed25519 checkpoint key), `registry.sqlite` (the voter registry, personal data
/// sealed) and `officials.json` (hashes of the officials' API tokens). Secrets are 0600.
public struct DataDirectory: Sendable {
    public let path: String
    /// When set, the board lives in PostgreSQL at this URL (schema `boardSchema`) instead of board.sqlite.
    public var boardURL: String?
    public var boardSchema: String

    public init(path: String, boardURL: String? = nil, boardSchema: String = "dauys") {
        self.path = path
        self.boardURL = boardURL
        self.boardSchema = boardSchema
    }

    public var boardPath: String { path + "/board.sqlite" }
    public var keyPath: String { path + "/board.key" }
    public var registryPath: String { path + "/registry.sqlite" }
    public var officialsPath: String { path + "/officials.json" }
    /// Present when the referendum is a rehearsal (`dauys init --rehearsal`): its board clock
    /// runs inside the manifest's schedule (`BoardClock.rehearsal`).
    public var rehearsalPath: String { path + "/rehearsal" }

    /// Marks the directory as a rehearsal; returns its clock.
    public func markRehearsal(_ schedule: Schedule) throws -> BoardClock {
        guard FileManager.default.createFile(atPath: rehearsalPath, contents: Data("rehearsal\n".utf8)) else {
            throw StoreError.config("cannot write \(rehearsalPath)")
        }
        return .rehearsal(schedule)
    }

    /// The board clock of this referendum: the machine's, or a rehearsal's.
    public func clock() async throws -> BoardClock {
        FileManager.default.fileExists(atPath: rehearsalPath) ? .rehearsal(try await manifest().schedule) : .wall
    }

    /// Opens the board; a `writer` takes the board's lock (one writer per board) and fails with
    /// `StoreError.locked` while another process — a running server — holds it.
    public func boardStore(writer: Bool = true) async throws -> any BoardStore {
        if let boardURL {
            return try await PostgresBoardStore.connect(url: boardURL, schema: boardSchema, writer: writer)
        }
        return try SQLiteBoardStore(path: boardPath, writer: writer)
    }

    public func hasBoard() async -> Bool {
        if boardURL != nil { return ((try? await boardStore(writer: false).count()) ?? 0) > 0 }
        return FileManager.default.fileExists(atPath: boardPath)
    }

    public func createBoardKey() throws -> Curve25519.Signing.PrivateKey {
        let k = Curve25519.Signing.PrivateKey()
        try SecretFile.write(k.rawRepresentation, to: keyPath)
        return k
    }

    public func boardKey() throws -> Curve25519.Signing.PrivateKey {
        guard let d = FileManager.default.contents(atPath: keyPath) else {
            throw StoreError.config("no board key in \(path) (run `dauys init` first)")
        }
        return try Curve25519.Signing.PrivateKey(rawRepresentation: d)
    }

    /// The manifest on the board (entry 1).
    public func manifest() async throws -> Manifest {
        let store = try await boardStore(writer: false)
        guard let m = try await store.entries(from: 1, limit: 1).first, m.kind == .manifest else {
            throw StoreError.config("no referendum in \(path) (run `dauys init` first)")
        }
        return try CanonicalJSON.decode(Manifest.self, m.payload)
    }

    public func open<G: PrimeOrderGroup>(_: G.Type, writer: Bool = true) async throws -> Referendum<G> {
        try await Referendum<G>.open(
            store: try await boardStore(writer: writer), boardKey: try boardKey(), clock: try await clock())
    }
}

/// Files readable by their owner only.
public enum SecretFile {
    public static func write(_ data: some DataProtocol, to path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        guard FileManager.default.createFile(atPath: path, contents: Data(data), attributes: [.posixPermissions: 0o600])
        else {
            throw StoreError.config("cannot write \(path)")
        }
    }
}

/// Runs a body with the group the manifest names (every group-generic step goes through it).
public protocol GroupDispatch {
    associatedtype Output
    func run<G: PrimeOrderGroup>(_ g: G.Type) async throws -> Output
}

extension GroupDispatch {
    public func dispatch(_ group: String) async throws -> Output {
        switch group {
        case DauysCrypto.P256.name: try await run(DauysCrypto.P256.self)
        case ElectionGuardV1.name: try await run(ElectionGuardV1.self)
        case ElectionGuardV2.name: try await run(ElectionGuardV2.self)
        default: throw StoreError.config("unknown group \(group)")
        }
    }
}
