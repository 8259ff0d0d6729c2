import ArgumentParser
import DauysCrypto
import DauysRecord
import Foundation

struct ReceiptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt", abstract: "A voter's signed receipt (record.md §9.2).", subcommands: [ReceiptCheck.self]
    )
}

/// Anyone holding a receipt checks a copy of the board against it: the ballot is there, or
/// the board dropped or rewrote it — which the board's own signature then proves.
struct ReceiptCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "Prove that a board includes the receipt's ballot, or that it omitted or rewrote it (exit 0: included, 1: omitted or rewritten)."
    )
    @Argument(help: "The receipt (JSON, as `dauys vote` saved it or the server returned it).") var receipt: String
    @Option(help: "A published record directory (with board.bin).") var record: String?
    @Option(help: "A running server (http://host:port).") var server: String?
    @Option(name: .customLong("board-key"), help: "The board key (hex) you expect the receipt to be signed by.")
    var boardKey: String?

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: receipt) else { throw CLIError("cannot read \(receipt)") }
        let r: BallotReceipt
        do { r = try JSONDecoder().decode(BallotReceipt.self, from: data) } catch {
            throw CLIError("\(receipt) is not a Dauys receipt: \(error)")
        }
        let pinned = try boardKey.map { try Hex.decode($0, what: "board key") }
        let (genesis, manifest, previous, entry, count) = try await entries(at: r.entry)
        let verdict = ReceiptVerdict.judge(
            r, genesis: genesis, manifest: manifest, previous: previous, entry: entry, entries: count,
            pinnedKey: pinned)
        print(verdict)
        switch verdict {
        case .included:
            print("tracking code \(r.trackingCode), on the board since \(BoardTime.instant(r.time))")
        case .omitted, .rewritten:
            print(
                "the receipt, signed by board key \(r.boardKey), is the proof: keep it and give it to the commission and observers"
            )
            throw ExitCode(1)
        case .invalidReceipt: throw CLIError("\(verdict)")
        }
    }

    /// The genesis, manifest, the entry before `index` and the entry itself, and the size of the board.
    func entries(
        at index: UInt64
    ) async throws -> (BoardEntry, BoardEntry, BoardEntry?, BoardEntry?, UInt64) {
        switch (record, server) {
        case (let dir?, nil):
            var reader = try RecordReader(path: dir + "/" + RecordFile.boardFileName)
            var head: [BoardEntry] = [], previous: BoardEntry?, entry: BoardEntry?, n: UInt64 = 0
            while let next = reader.next() {
                let e = try next.get()
                if e.index < 2 { head.append(e) }
                if index > 0, e.index == index - 1 { previous = e }
                if e.index == index { entry = e }
                n += 1
            }
            guard head.count == 2 else { throw CLIError("\(dir) holds no referendum") }
            return (head[0], head[1], previous, entry, n)
        case (nil, let url?):
            let s = RemoteServer(base: url.hasSuffix("/") ? String(url.dropLast()) : url, token: nil)
            let head = try await s.entries(from: 0, limit: 2)
            guard head.count == 2 else { throw CLIError("the server's board holds no referendum") }
            let around = index > 0 ? try await s.entries(from: index - 1, limit: 2) : []
            let count = try await s.count()
            return (
                head[0], head[1], around.first { $0.index + 1 == index }, around.first { $0.index == index }, count
            )
        default: throw CLIError("give either --record DIR or --server URL")
        }
    }
}
