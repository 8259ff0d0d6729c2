import Crypto
import DauysCrypto
import Foundation

/// What an official may do. Trustees act only as themselves.
public enum Role: Equatable, Hashable, Sendable, CustomStringConvertible {
    case admin
    case registrar
    case trustee(Int)

    public init?(_ text: String) {
        switch text {
        case "admin": self = .admin
        case "registrar": self = .registrar
        default:
            guard text.hasPrefix("trustee-"), let i = Int(text.dropFirst(8)), (1...255).contains(i) else { return nil }
            self = .trustee(i)
        }
    }
    public var description: String {
        switch self {
        case .admin: "admin"
        case .registrar: "registrar"
        case .trustee(let i): "trustee-\(i)"
        }
    }
}

/// The officials' access tokens, stored only as SHA-256 hashes in `officials.json` of the
/// data directory. `dauys official add` creates a token and shows it once.
public struct OfficialRegistry: Sendable {
    public struct Entry: Codable, Sendable {
        public let name: String
        public let role: String
        public let tokenSHA256: String
        enum CodingKeys: String, CodingKey { case name, role, tokenSHA256 = "token_sha256" }
    }

    private let byHash: [String: (name: String, role: Role)]

    public init(entries: [Entry]) {
        var m: [String: (String, Role)] = [:]
        for e in entries { if let r = Role(e.role) { m[e.tokenSHA256] = (e.name, r) } }
        byHash = m
    }

    public static func load(path: String) throws -> OfficialRegistry {
        guard let d = FileManager.default.contents(atPath: path) else { return OfficialRegistry(entries: []) }
        return OfficialRegistry(entries: try JSONDecoder().decode([Entry].self, from: d))
    }

    /// Adds an official to the file; returns the new token (to hand over once).
    public static func add(path: String, name: String, role: Role) throws -> String {
        var entries: [Entry] = []
        if let d = FileManager.default.contents(atPath: path) {
            entries = try JSONDecoder().decode([Entry].self, from: d)
        }
        let token = "dauys_" + Hex.encode(SecureRandom.bytes(24))
        entries.append(Entry(name: name, role: role.description, tokenSHA256: hash(token)))
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try e.encode(entries)
        // Written whole, then renamed over the old file: a running server never reads half of it.
        let temporary = path + ".new"
        try? FileManager.default.removeItem(atPath: temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]),
            rename(temporary, path) == 0
        else {
            throw ServerError.config("cannot write \(path)")
        }
        return token
    }

    static func hash(_ token: String) -> String { Hex.encode(SHA256.hash(data: Array(token.utf8))) }

    /// The official holding this token, if any.
    public func official(token: String) -> (name: String, role: Role)? { byHash[Self.hash(token)] }
}

public enum ServerError: Error, CustomStringConvertible {
    case config(String)
    public var description: String {
        switch self {
        case .config(let s): s
        }
    }
}
