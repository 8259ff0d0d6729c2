import Foundation
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Property-based fuzzing of the running server from docs/openapi.json with schemathesis
/// (PyPI): every generated request must get a documented, well-formed answer, never a 5xx.
/// Runs when DAUYS_SCHEMATHESIS names the schemathesis executable (.ci/run installs it).
final class SchemathesisTests: XCTestCase {
    func testFuzzRunningServer() throws {
        guard let st = ProcessInfo.processInfo.environment["DAUYS_SCHEMATHESIS"] else {
            throw XCTSkip("DAUYS_SCHEMATHESIS is not set")
        }
        let w = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: w) }
        try CLI.ok(["loadtest-setup", "--data", "d", "--voters", "50", "--regions", "3"], cwd: w)
        let port = Int.random(in: 20000...40000)
        let server = Process()
        server.executableURL = CLI.binary
        server.arguments = ["serve", "--data", "d", "--port", "\(port)", "--log-level", "error"]
        server.currentDirectoryURL = URL(fileURLWithPath: w)
        var env = ProcessInfo.processInfo.environment
        env["DAUYS_REGISTRY_KEY"] = try String(contentsOfFile: w + "/d/registry.key", encoding: .utf8)
        server.environment = env
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        var up = false
        for _ in 0..<100 where !up {
            if let d = try? Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/api/v1/health")!), !d.isEmpty {
                up = true
            } else {
                usleep(100_000)
            }
        }
        XCTAssertTrue(up, "server did not start")
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../docs/openapi.json"
        ).standardized.path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: st)
        p.arguments = ["run", spec, "--url", "http://127.0.0.1:\(port)", "--max-examples", "40", "--seed", "2026"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("passed"), text)
    }
}
