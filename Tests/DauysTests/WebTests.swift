import DauysCrypto
import DauysServer
import DauysStore
import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest

/// The booth's and public pages' files as `dauys serve` sends them (docs/web.md): every page and
/// script from this origin under a policy that forbids inline scripts and third parties; and
/// the two API changes the booth needs (the voter's credential at sign-in, session extension).
/// The pages themselves are tested in Chromium by Tests/Web/browser_test.py.
final class WebTests: XCTestCase {
    static let pages = ["/", "/turnout", "/results", "/board", "/verify", "/audit"]
    static let scripts = [
        "/js/p256.mjs", "/js/protocol.mjs", "/js/kat.mjs", "/js/i18n.mjs", "/js/api.mjs", "/js/booth.mjs",
        "/js/public.mjs",
    ]

    func testPagesAndScriptsAreServedUnderAStrictPolicy() async throws {
        let w = try await ServerTests.world { try SQLiteBoardStore(path: $0 + "/board.sqlite") }
        defer { try? FileManager.default.removeItem(atPath: w.dir) }
        try await buildApplication(w.server).test(.router) { c in
            for path in Self.pages + Self.scripts + ["/css/style.css", "/icon.svg"] {
                let (status, body, headers) = try await ServerTests.get(c, path)
                XCTAssertEqual(status, .ok, path)
                let policy = headers[.contentSecurityPolicy] ?? ""
                XCTAssertTrue(policy.contains("script-src 'self';"), "\(path): \(policy)")
                XCTAssertTrue(policy.contains("default-src 'none'"), "\(path): \(policy)")
                XCTAssertFalse(policy.contains("unsafe"), "\(path): \(policy)")
                XCTAssertEqual(headers[.xContentTypeOptions], "nosniff", path)
                let text = String(decoding: body, as: UTF8.self)
                // Nothing from another origin, anywhere.
                XCTAssertNil(text.range(of: #"(src|href)="https?://"#, options: .regularExpression), path)
                XCTAssertFalse(text.contains("import(\"http") || text.contains("from \"http"), path)
                if Self.pages.contains(path) {
                    XCTAssertEqual(headers[.contentType], "text/html; charset=utf-8", path)
                    // Every script is a file (no inline script, no event-handler attribute, no inline style).
                    XCTAssertNil(text.range(of: #"<script(?![^>]*\bsrc=)"#, options: .regularExpression), path)
                    XCTAssertNil(text.range(of: #"\son[a-z]+="#, options: .regularExpression), path)
                    XCTAssertNil(text.range(of: #"\sstyle="#, options: .regularExpression), path)
                    XCTAssertTrue(text.contains("<html lang=\"kk\">"), path)
                    XCTAssertTrue(text.contains("<main id=\"main\""), path)
                    XCTAssertFalse(text.contains("{{"), "\(path): a layout placeholder was left")
                }
                if path.hasSuffix(".mjs") {
                    XCTAssertEqual(headers[.contentType], "text/javascript; charset=utf-8", path)
                    XCTAssertFalse(text.contains("eval("), path)
                    XCTAssertFalse(text.contains("Math.random"), "\(path): randomness only from WebCrypto")
                }
                // A browser that has the file asks again with its ETag and gets 304.
                let etag = try XCTUnwrap(headers[.eTag], path)
                let again = try await c.execute(uri: path, method: .get, headers: [.ifNoneMatch: etag]) { $0.status }
                XCTAssertEqual(again, .notModified, path)
            }
            let missing = try await ServerTests.get(c, "/js/missing.mjs")
            XCTAssertEqual(missing.0, .notFound)
        }
    }

    func testSignInGivesTheVotersCredentialAndSessionsCanBeExtended() async throws {
        let w = try await ServerTests.world { try SQLiteBoardStore(path: $0 + "/board.sqlite") }
        defer { try? FileManager.default.removeItem(atPath: w.dir) }
        try await buildApplication(w.server).test(.router) { c in
            let v = w.voters[0]
            let s = try await ServerTests.post(c, "/api/v1/sessions", token: nil, ["iin": v.iin, "code": v.code])
            XCTAssertEqual(s.0, .created)
            // The booth compares the typed credential code against it before casting.
            XCTAssertEqual(s.1["credential"] as? String, v.credential.publicKey.hex)
            let token = try XCTUnwrap(s.1["token"] as? String)

            let none = try await ServerTests.post(c, "/api/v1/sessions/extend", token: nil, [:])
            XCTAssertEqual(none.0, .unauthorized)
            XCTAssertEqual(ServerTests.code(none), "no_session")
            for n in 1...VoterSessions.maxExtensions {
                let r = try await ServerTests.post(c, "/api/v1/sessions/extend", token: token, [:])
                XCTAssertEqual(r.0, .ok)
                XCTAssertEqual(r.1["expires_in"] as? Int, 600)
                XCTAssertEqual(r.1["extensions_left"] as? Int, VoterSessions.maxExtensions - n)
            }
            let tooMany = try await ServerTests.post(c, "/api/v1/sessions/extend", token: token, [:])
            XCTAssertEqual(tooMany.0, .unauthorized)
            XCTAssertEqual(ServerTests.code(tooMany), "not_extended")
            // The session itself still works until it expires.
            let still = try await w.server.sessions.session(token: token, now: Date())
            XCTAssertNotNil(still)
        }
    }

    func testAnExtendedSessionLivesLongerAndAnExpiredOneCannotBeExtended() {
        let sessions = VoterSessions(ttl: 100)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        let token = sessions.open(voter: 1, region: 0, credential: nil, now: t0)
        XCTAssertNotNil(sessions.extend(token: token, now: t0.addingTimeInterval(90)))
        XCTAssertNotNil(sessions.session(token: token, now: t0.addingTimeInterval(150)))
        XCTAssertNil(sessions.session(token: token, now: t0.addingTimeInterval(191)))
        XCTAssertNil(sessions.extend(token: token, now: t0.addingTimeInterval(191)))
        XCTAssertNil(sessions.extend(token: "v_unknown", now: t0))
    }

    /// The booth's JavaScript reproduces the Swift known-answer vectors byte for byte (Node;
    /// the same module runs in Chromium in the browser tests). Skipped only where Node is absent.
    func testBoothCryptographyMatchesTheSwiftVectorsInNode() throws {
        let node = ["/usr/bin/node", "/usr/local/bin/node"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let node else { throw XCTSkip("node is not installed (scripts/test installs it)") }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: node)
        p.arguments = [root.appendingPathComponent("Tests/Web/kat.mjs").path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0, text)
        let result = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        XCTAssertEqual((result?["failed"] as? [Any])?.count, 0, text)
        XCTAssertGreaterThanOrEqual(result?["passed"] as? Int ?? 0, 46, text)
    }
}
