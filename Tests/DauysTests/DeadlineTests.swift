import DauysReferendum
import DauysStore
import Foundation
import XCTest

/// `withDeadline` (docs/deployment.md): a database call that never answers must release its
/// caller — and with it the board's writer lock — as "unavailable", without waiting for the call.
final class DeadlineTests: XCTestCase {
    func testACallThatNeverAnswersFailsAsUnavailableAtTheDeadline() async throws {
        let start = ContinuousClock.now
        do {
            _ = try await withDeadline(.milliseconds(200), "reading the board") { () async throws -> Int in
                // Ignores cancellation, as a stuck network call would.
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
                return 1
            }
            XCTFail("a call that never answers returned")
        } catch let e as StoreError {
            guard case .unavailable(let why) = e else { return XCTFail("unexpected \(e)") }
            XCTAssertTrue(why.hasPrefix("reading the board did not answer within"), why)
        }
        let waited = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(200))
        XCTAssertLessThan(waited, .seconds(5))
    }

    func testAnAnswerBeforeTheDeadlineIsReturnedAndAnErrorIsPassedOn() async throws {
        let v = try await withDeadline(.seconds(30), "counting") { 42 }
        XCTAssertEqual(v, 42)
        do {
            _ = try await withDeadline(.seconds(30), "appending") { () async throws -> Int in
                throw StoreError.conflict(expected: 3, got: 2)
            }
            XCTFail("the error was lost")
        } catch StoreError.conflict(let expected, let got) {
            XCTAssertEqual([expected, got], [3, 2])
        }
    }
}

/// The failure the deadline exists for, end to end: a "database" that accepts the connection
/// and never says a word (as a connection left half-open by a dying primary behind a proxy).
final class SilentDatabaseTests: XCTestCase {
    func testABoardStoreOnASilentDatabaseFailsAtItsDeadlineInsteadOfWaitingForever() async throws {
        // A listening socket nobody accepts on: the kernel completes the handshake, nothing answers.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        XCTAssertEqual(
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
            }, 0)
        XCTAssertEqual(listen(fd, 16), 0)
        var bound = sockaddr_in()
        var len = size
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        let port = Int(UInt16(bigEndian: bound.sin_port))

        let start = ContinuousClock.now
        do {
            _ = try await PostgresBoardStore.connect(
                url: "postgres://dauys:dauys@127.0.0.1:\(port)/dauys", schema: "silent", deadline: .milliseconds(500))
            XCTFail("a silent database was taken for a board")
        } catch let e as StoreError {
            guard case .unavailable(let why) = e else { return XCTFail("unexpected \(e)") }
            XCTAssertEqual(
                why, "PostgreSQL at 127.0.0.1:\(port): creating the board's tables did not answer within 0.5 seconds")
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
    }
}
