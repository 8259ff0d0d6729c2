import DauysCrypto
import DauysRecord
import DauysReferendum
import DauysServer
import DauysStore
import Foundation
import Hummingbird
import XCTest

/// docs/openapi.json describes exactly the API routes the server has, with the statuses it uses.
final class OpenAPITests: XCTestCase {
    func testDocumentMatchesTheRouter() async throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../docs/openapi.json")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        XCTAssertEqual(doc["openapi"] as? String, "3.0.3")
        let paths = doc["paths"] as! [String: [String: Any]]
        var documented = Set<String>()
        for (p, ops) in paths { for m in ops.keys { documented.insert("\(m.uppercased()) \(p)") } }

        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ref = try await Referendum<G>.create(
            store: try SQLiteBoardStore(path: dir + "/b.sqlite"), manifest: .kazakhstan2026(regions: 1),
            boardKey: .init(), clock: .rehearsal(Manifest.kazakhstan2026(regions: 1).schedule))
        let router = buildRouter(
            ReferendumService(referendum: ref, registry: nil, cipher: nil, officials: OfficialRegistry(entries: [])))
        var actual = Set<String>()
        // The booth's and public pages' files (docs/web.md) are not part of the API.
        for r in router.routes {
            // ":name" in Hummingbird is "{name}" in OpenAPI.
            let p = "\(r.path)".split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .joined(separator: "/")
            guard p.hasPrefix("api/") || p == "metrics" else { continue }
            actual.insert("\(r.method) /\(p)")
        }
        XCTAssertGreaterThanOrEqual(actual.count, 20)
        XCTAssertEqual(actual.subtracting(documented), [], "routes missing from docs/openapi.json")
        XCTAssertEqual(documented.subtracting(actual), [], "documented routes the server does not have")

        // Casting documents every status the handler can answer.
        let cast = (paths["/api/v1/ballots"]!["post"] as! [String: Any])["responses"] as! [String: Any]
        XCTAssertEqual(Set(cast.keys), ["200", "201", "400", "401", "403", "409", "413", "422", "503"])
        // Every operation has a summary and at least one response.
        for (p, ops) in paths {
            for (m, op) in ops {
                let o = op as! [String: Any]
                XCTAssertNotNil(o["summary"], "\(m) \(p) has no summary")
                XCTAssertFalse((o["responses"] as? [String: Any] ?? [:]).isEmpty, "\(m) \(p) has no response")
            }
        }
    }
}
