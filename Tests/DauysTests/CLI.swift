import Crypto
import DauysRecord
import DauysReferendum
import DauysStore
import Foundation
import XCTest

/// Runs the built `dauys` executable, as a commission officer or observer would.
enum CLI {
    static var binary: URL {
        // The test bundle sits in the build products directory, next to the executable.
        var dir = Bundle(for: Marker.self).bundleURL
        for _ in 0..<3 {
            let candidate = dir.deletingLastPathComponent().appendingPathComponent("dauys")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../.build/debug/dauys"
        ).standardized
    }
    final class Marker {}

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    @discardableResult
    static func run(_ args: [String], cwd: String, env: [String: String] = [:]) throws -> Output {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(
            status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: r, as: UTF8.self))
    }

    /// Runs curl; returns "STATUS BODY".
    static func curl(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "-w", "%{http_code}", "-o", "/dev/stderr"] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let body = err.fileHandleForReading.readDataToEndOfFile()
        let status = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: status, as: UTF8.self) + " " + String(decoding: body, as: UTF8.self)
    }

    /// Runs and fails the test if the command fails.
    @discardableResult
    static func ok(_ args: [String], cwd: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let o = try run(args, cwd: cwd)
        XCTAssertEqual(
            o.status, 0, "dauys \(args.joined(separator: " ")) failed:\n\(o.stderr)\n\(o.stdout)", file: file,
            line: line)
        return o.stdout
    }

    static func tempDir() -> String {
        let d = NSTemporaryDirectory() + "dauys-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }
}

/// Valid IINs for fixtures: born in the 1800s (century digit 1 or 2), so no living person's.
enum Fixtures {
    static func iin(_ serial: Int, male: Bool = true) -> String {
        var s = serial
        while true {
            let base = "850101\(male ? 1 : 2)" + String(format: "%04d", s)
            let d = base.utf8.map { Int($0 - 48) }
            var k = zip(d, 1...11).reduce(0) { $0 + $1.0 * $1.1 } % 11
            if k == 10 { k = zip(d, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]).reduce(0) { $0 + $1.0 * $1.1 } % 11 }
            if k != 10 { return base + String(k) }
            s += 5000
        }
    }
}

/// The board stores the storage tests run against: SQLite always, PostgreSQL too when
/// DAUYS_TEST_POSTGRES_URL is set (CI starts a local server and sets it).
enum TestStores {
    static var postgresURL: String? { ProcessInfo.processInfo.environment["DAUYS_TEST_POSTGRES_URL"] }

    typealias Opener = @Sendable (_ writer: Bool) async throws -> BoardStore

    /// (name, a function that opens the same store again, as its writer or a reader) for each kind.
    static func all(dir: String) -> [(String, Opener)] {
        var out: [(String, Opener)] = [("sqlite", { try SQLiteBoardStore(path: dir + "/board.sqlite", writer: $0) })]
        if let url = postgresURL {
            let schema = String(
                "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20))
            out.append(("postgres", { try await PostgresBoardStore.connect(url: url, schema: schema, writer: $0) }))
        }
        return out
    }
}

/// Rewrites a record as a malicious board operator would: new chain, new key, new checkpoints.
enum RecordRewrite {
    /// Re-chains the entries and re-signs every checkpoint with `key` (a new board key unless given).
    static func rechain(
        _ items: [(kind: EntryKind, time: UInt64, payload: [UInt8])], to dir: String,
        key: Curve25519.Signing.PrivateKey = .init()
    ) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let w = try RecordWriter(path: dir + "/board.bin")
        var prev = BoardEntry.zeroHash
        for (i, it) in items.enumerated() {
            var payload = it.payload
            if it.kind == .genesis { payload = Array(try CanonicalJSON.encode(Genesis(boardKey: key.publicKey))) }
            if it.kind == .checkpoint { payload = try Checkpoint(upTo: UInt64(i - 1), hash: prev, key: key).payload }
            let e = BoardEntry(index: UInt64(i), time: it.time, kind: it.kind, payload: payload, previous: prev)
            try w.append(e)
            prev = e.hash
        }
        try w.close()
    }

    static func entries(_ dir: String) throws -> [(kind: EntryKind, time: UInt64, payload: [UInt8])] {
        var r = try RecordReader(path: dir + "/board.bin")
        var out: [(kind: EntryKind, time: UInt64, payload: [UInt8])] = []
        while let n = r.next() {
            let e = try n.get()
            out.append((e.kind, e.time, e.payload))
        }
        return out
    }
}

/// `XCTAssertThrowsError` for async code.
func assertThrowsAsync(
    _ body: () async throws -> Void, _ message: String = "", file: StaticString = #filePath, line: UInt = #line,
    _ check: (Error) -> Void = { _ in }
) async {
    do {
        try await body()
        XCTFail("expected an error. \(message)", file: file, line: line)
    } catch { check(error) }
}

extension CLI {
    /// Starts `dauys serve` on a free port for a data directory; returns the process and its URL.
    static func serve(data: String, cwd: String) throws -> (Process, String) {
        let port = Int.random(in: 20000...40000)
        let server = Process()
        server.executableURL = binary
        server.arguments = ["serve", "--data", data, "--port", "\(port)", "--log-level", "error"]
        server.currentDirectoryURL = URL(fileURLWithPath: cwd)
        var env = ProcessInfo.processInfo.environment
        env["DAUYS_REGISTRY_KEY"] = try? String(contentsOfFile: cwd + "/" + data + "/registry.key", encoding: .utf8)
        server.environment = env
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        let url = "http://127.0.0.1:\(port)"
        for _ in 0..<150 {
            if let d = try? Data(contentsOf: URL(string: url + "/api/v1/health")!), !d.isEmpty { return (server, url) }
            usleep(100_000)
        }
        server.terminate()
        throw CLIFailure("the server did not start")
    }
    struct CLIFailure: Error {
        let message: String
        init(_ m: String) { message = m }
    }
}

extension CLI {
    /// `dauys manifest-sample` after each trustee created its key file t1.json … tN.json with
    /// `dauys trustee new-key`, as a commission collects the trustees' signing keys.
    static func manifestSample(_ options: [String] = [], trustees: Int = 5, cwd: String) throws -> String {
        var keys: [String] = []
        for i in 1...trustees {
            let k = try ok(["trustee", "new-key", "--key", "t\(i).json", "--index", "\(i)"], cwd: cwd)
            keys += ["--trustee-key", k.trimmingCharacters(in: .whitespacesAndNewlines)]
        }
        // The credential authority keeps its key in its own directory, apart from the board's.
        try FileManager.default.createDirectory(
            atPath: cwd + "/ca", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let ca = try ok(["ca", "new-key", "--key", "ca/ca.json"], cwd: cwd)
        let reg = try ok(["registry", "new-signing-key", "--key", "reg-sign.json"], cwd: cwd)
        keys += ["--credential-authority-key", ca.trimmingCharacters(in: .whitespacesAndNewlines)]
        keys += ["--registry-signing-key", reg.trimmingCharacters(in: .whitespacesAndNewlines)]
        let cec = try ok(["paper", "new-key", "--role", "central-commission", "--key", "cec.json"], cwd: cwd)
        keys += ["--central-commission-key", cec.trimmingCharacters(in: .whitespacesAndNewlines)]
        return try ok(["manifest-sample", "--trustees", "\(trustees)"] + options + keys, cwd: cwd)
    }

    /// Credentials the way record.md §3.3 splits the work: the registry exports its voters and
    /// publishes the counts; the credential authority, in `ca/` with the public manifest only,
    /// signs the lists; the board publishes them; the authority writes letters for what the
    /// public board shows; the registry keeps the links and writes the sign-in letters. Credential
    /// letters end up in `ca/letters`, sign-in letters in `signin`.
    static func issueCredentials(
        data: String = "d", manifest: String = "m.json", forgetLinks: Bool = false, cwd: String
    ) throws {
        try ok(
            ["registry", "export", "--data", data, "--registry-key", "reg.key", "--out", "ca/voters.json"], cwd: cwd)
        try ok(
            [
                "registry", "publish-counts", "--data", data, "--registry-key", "reg.key", "--signing-key",
                "reg-sign.json",
            ], cwd: cwd)
        try FileManager.default.copyItem(atPath: cwd + "/" + manifest, toPath: cwd + "/ca/manifest.json")
        try ok(
            [
                "ca", "issue", "--key", "ca.json", "--manifest", "manifest.json", "--voters", "voters.json", "--out",
                "out",
            ], cwd: cwd + "/ca")
        try ok(["credentials", "publish", "--data", data, "ca/out/credentials.json"], cwd: cwd)
        try ok(["record", "export", "--data", data, "ca/public"], cwd: cwd)
        try ok(
            [
                "ca", "letters", "--key", "ca.json", "--voters", "voters.json", "--record", "public", "--letters",
                "letters",
            ],
            cwd: cwd + "/ca")
        try ok(
            [
                "registry", "link", "ca/out/links.sealed", "--data", data, "--registry-key", "reg.key", "--letters",
                "signin",
            ] + (forgetLinks ? ["--forget-links"] : []), cwd: cwd)
    }
}
