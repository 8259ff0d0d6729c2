import ArgumentParser
import Crypto
import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysStore
import Foundation

/// The working files of one referendum on the commission's machine:
/// `board.sqlite` (the bulletin board), `board.key` (the board's Ed25519 checkpoint key,
/// mode 0600) and `registry.sqlite` (the voter registry, personal data sealed).
struct DataDirectory {
    let path: String
    /// When set, the board lives in PostgreSQL at this URL (schema `boardSchema`) instead of board.sqlite.
    var boardURL: String? = nil
    var boardSchema: String = "dauys"

    func boardStore() throws -> BoardStore {
        if let boardURL { return try PostgresBoardStore(url: boardURL, schema: boardSchema) }
        return try SQLiteBoardStore(path: boardPath)
    }
    var hasBoard: Bool {
        if boardURL != nil { return ((try? boardStore().count()) ?? 0) > 0 }
        return FileManager.default.fileExists(atPath: boardPath)
    }
    var boardPath: String { path + "/board.sqlite" }
    var keyPath: String { path + "/board.key" }
    var registryPath: String { path + "/registry.sqlite" }

    func boardKey(create: Bool = false) throws -> Curve25519.Signing.PrivateKey {
        if create {
            let k = Curve25519.Signing.PrivateKey()
            try writeSecret(k.rawRepresentation, to: keyPath)
            return k
        }
        guard let d = FileManager.default.contents(atPath: keyPath) else { throw CLIError("no board key in \(path) (run `dauys init` first)") }
        return try Curve25519.Signing.PrivateKey(rawRepresentation: d)
    }

    /// The group named by the manifest on the board.
    func group() throws -> String {
        let store = try boardStore()
        guard let m = try store.entries(from: 1, limit: 1).first, m.kind == .manifest else { throw CLIError("no referendum in \(path) (run `dauys init` first)") }
        return try CanonicalJSON.decode(Manifest.self, m.payload).group
    }

    func open<G: PrimeOrderGroup>(_: G.Type) throws -> Referendum<G> {
        try Referendum<G>.open(store: try boardStore(), boardKey: try boardKey())
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ s: String) { description = s }
}

/// Writes a file readable by its owner only.
func writeSecret(_ data: some DataProtocol, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try? FileManager.default.removeItem(at: url)
    guard FileManager.default.createFile(atPath: path, contents: Data(data), attributes: [.posixPermissions: 0o600]) else {
        throw CLIError("cannot write \(path)")
    }
}

/// A command body that works for every group; `dispatch` picks the group from the manifest.
protocol GroupCommand {
    func run<G: PrimeOrderGroup>(_ g: G.Type) async throws
}

extension GroupCommand {
    func dispatch(_ group: String) async throws {
        switch group {
        case DauysCrypto.P256.name: try await run(DauysCrypto.P256.self)
        case ElectionGuardV1.name: try await run(ElectionGuardV1.self)
        case ElectionGuardV2.name: try await run(ElectionGuardV2.self)
        default: throw CLIError("unknown group \(group)")
        }
    }
}

struct DataOption: ParsableArguments {
    @Option(name: .long, help: "The referendum's data directory.") var data: String
    @Option(name: .customLong("board-url"), help: "Keep the board in PostgreSQL (postgres://user:password@host:5432/db) instead of SQLite; default $DAUYS_BOARD_URL.")
    var boardURL: String?
    @Option(name: .customLong("board-schema"), help: "PostgreSQL schema of this referendum's board.") var boardSchema = "dauys"
    var dir: DataDirectory {
        DataDirectory(path: data, boardURL: boardURL ?? ProcessInfo.processInfo.environment["DAUYS_BOARD_URL"], boardSchema: boardSchema)
    }
}

func say(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
