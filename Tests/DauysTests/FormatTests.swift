import Foundation
import XCTest

/// The tree is formatted by swift-format with the repository's `.swift-format` (lines ≤ 120).
final class FormatTests: XCTestCase {
    func testSourcesAreFormatted() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
            .standardized
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swift", "format", "lint", "--strict", "-r", "Sources", "Tests", "Package.swift"]
        p.currentDirectoryURL = root
        let err = Pipe()
        p.standardError = err
        p.standardOutput = err
        try p.run()
        let out = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(
            p.terminationStatus, 0, "run `swift format format -i -r Sources Tests Package.swift`:\n\(out.prefix(4000))")
    }
}
