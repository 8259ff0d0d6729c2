import Crypto
import DauysCrypto
import DauysRecord
import Foundation

/// A commission's signing key and what it may sign: one precinct, or every precinct of a
/// district or region (territorial commissions entering protocols in bulk).
public struct CommissionKey: Codable, Equatable, Sendable {
    public let name: String
    /// A precinct, district or region id.
    public let scope: String
    public let key: String
    public init(name: String, scope: String, key: String) {
        self.name = name
        self.scope = scope
        self.key = key
    }
}

/// The precinct protocols of a referendum: append-only, every version kept, each signed.
/// Stored as `protocols.jsonl` (one signed protocol per line, synced to disk on every append)
/// and `commissions.json` (registered commission keys) in the data directory.
public final class ProtocolBook: @unchecked Sendable {
    public let manifest: Manifest
    public let directory: String
    private let lock = NSLock()
    public private(set) var commissions: [CommissionKey]
    public private(set) var history: [String: [PrecinctProtocol]] = [:]
    public private(set) var signed: [SignedProtocol] = []
    private let precinctPlace: [String: (region: Int, district: String)]
    /// Accepted turnout reports, in order, and per precinct (kept incrementally: O(1) per report).
    var turnout: [TurnoutReport] = []
    var turnoutByPrecinct: [String: [TurnoutReport]] = [:]

    public init(directory: String, manifest: Manifest) throws {
        self.directory = directory
        self.manifest = manifest
        var place: [String: (Int, String)] = [:]
        for (ri, r) in manifest.regions.enumerated() {
            for d in r.districts { for p in d.precincts { place[p.id] = (ri, d.id) } }
        }
        precinctPlace = place
        if let d = FileManager.default.contents(atPath: directory + "/commissions.json") {
            commissions = try JSONDecoder().decode([CommissionKey].self, from: d)
        } else {
            commissions = []
        }
        for s in try Self.readLines(
            directory + "/protocols.jsonl",
            { d throws -> SignedProtocol in
                let s = try JSONDecoder().decode(SignedProtocol.self, from: d)
                _ = try s.verified()
                return s
            })
        {
            let p = try s.verified()
            history[p.precinct, default: []].append(p)
            signed.append(s)
        }
        for r in try Self.readLines(
            directory + "/turnout.jsonl",
            {
                try JSONDecoder().decode(SignedTurnoutReport.self, from: $0).verified()
            })
        {
            turnout.append(r)
            turnoutByPrecinct[r.precinct, default: []].append(r)
        }
    }

    /// Reads a JSON-lines file of the data directory. A last line without its newline that does
    /// not decode is an append a crash cut short — never acknowledged, since the append returns
    /// only after the whole line is on disk — and is cut off the file; any other bad line stops
    /// with the file and line named.
    static func readLines<T>(_ path: String, _ decode: (Data) throws -> T) throws -> [T] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let name = (path as NSString).lastPathComponent
        var out: [T] = []
        var start = data.startIndex, line = 0
        while start < data.endIndex {
            line += 1
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n"))
            let bytes = data[start..<(end ?? data.endIndex)]
            do {
                guard String(data: bytes, encoding: .utf8) != nil else { throw PaperError.storage("not UTF-8") }
                out.append(try decode(Data(bytes)))
            } catch {
                guard end == nil else { throw PaperError.storage("\(name) line \(line): \(error)") }
                let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                defer { try? h.close() }
                try h.truncate(atOffset: UInt64(start - data.startIndex))
                try h.synchronize()
                break
            }
            start = end.map { data.index(after: $0) } ?? data.endIndex
        }
        return out
    }

    /// Registers a new commission key (by the administrator); returns the private key.
    public func addCommission(name: String, scope: String) throws -> Curve25519.Signing.PrivateKey {
        let known = Set(precinctPlace.keys).union(manifest.regions.map(\.id)).union(
            manifest.regions.flatMap { $0.districts.map(\.id) })
        guard known.contains(scope) else { throw PaperError.unknownPrecinct(scope) }
        let k = Curve25519.Signing.PrivateKey()
        lock.lock()
        defer { lock.unlock() }
        commissions.append(CommissionKey(name: name, scope: scope, key: Hex.encode(k.publicKey.rawRepresentation)))
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try e.encode(commissions).write(to: URL(fileURLWithPath: directory + "/commissions.json"), options: .atomic)
        return k
    }

    /// Checks a signed protocol against keys, manifest, versions and the control relations.
    public func check(_ s: SignedProtocol) throws(PaperError) -> PrecinctProtocol {
        let p = try s.verified()
        guard p.referendum == manifest.id else { throw .wrongReferendum(p.referendum) }
        guard let place = precinctPlace[p.precinct] else { throw .unknownPrecinct(p.precinct) }
        let scopes: Set<String> = [p.precinct, place.district, manifest.regions[place.region].id]
        guard commissions.contains(where: { $0.key == s.commissionKey && scopes.contains($0.scope) }) else {
            throw .notAuthorized(precinct: p.precinct)
        }
        let expected = (history[p.precinct]?.last?.version ?? 0) + 1
        guard p.version == expected else {
            throw .version("precinct \(p.precinct): version \(p.version) submitted, the next is \(expected)")
        }
        if p.version > 1 && (p.reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw .version("precinct \(p.precinct): a correction (version \(p.version)) needs a reason")
        }
        let v = p.figures.violations(manifest: manifest)
        guard v.isEmpty else { throw .violations(precinct: p.precinct, v) }
        return p
    }

    /// Checks and appends signed protocols (all or none), durably.
    public func submit(_ list: [SignedProtocol]) throws {
        lock.lock()
        defer { lock.unlock() }
        var staged = history
        var accepted: [(SignedProtocol, PrecinctProtocol)] = []
        let saved = history
        for s in list {
            history = staged
            let p = try check(s)
            staged[p.precinct, default: []].append(p)
            accepted.append((s, p))
        }
        history = saved
        var blob = Data()
        for (s, _) in accepted {
            blob += try CanonicalJSON.encode(s)
            blob += Data("\n".utf8)
        }
        try appendDurably(blob, to: "protocols.jsonl")
        for (s, p) in accepted {
            history[p.precinct, default: []].append(p)
            signed.append(s)
        }
    }

    /// Appends to a file of the data directory and syncs it to disk before returning.
    func appendDurably(_ data: Data, to name: String) throws {
        let path = directory + "/" + name
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw PaperError.storage("cannot create \(path)")
            }
        }
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: data)
        try h.synchronize()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The current (latest) protocol of every precinct that has one.
    public var latest: [String: PrecinctProtocol] { history.compactMapValues(\.last) }

    public func region(of precinct: String) -> Int? { precinctPlace[precinct]?.region }
}
