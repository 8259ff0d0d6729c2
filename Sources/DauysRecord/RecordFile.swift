import DauysCrypto
import Foundation

/// The election record on disk: one file, `board.bin`, holding every board entry in order:
///
///     header  = "DAUYS-RECORD-v1\n" (16 bytes)
///     entry   = u64(index) ‖ u64(time_ms) ‖ u8(kind) ‖ u32(length) ‖ payload ‖ hash (32)
///
/// It is written and read sequentially, so records of millions of ballots stream.
public enum RecordFile {
    public static let header = Array("DAUYS-RECORD-v1\n".utf8)
    public static let boardFileName = "board.bin"
}

/// Appends entries to a record file with a large write buffer.
public final class RecordWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path)
        else {
            throw RecordError.io("cannot create \(path)")
        }
        handle = h
        buffer.reserveCapacity(1 << 22)
        buffer += RecordFile.header
    }

    /// Continues a record file after its first `length` bytes (the end of its last whole
    /// entry); anything after them — an entry cut short by a crash — is discarded.
    public init(continuing path: String, length: Int) throws {
        guard let h = FileHandle(forUpdatingAtPath: path) else { throw RecordError.io("cannot open \(path)") }
        try h.truncate(atOffset: UInt64(length))
        try h.seekToEnd()
        handle = h
        buffer.reserveCapacity(1 << 22)
    }

    public func append(_ e: BoardEntry) throws {
        var w = ByteWriter(capacity: 21)
        w.u64(e.index)
        w.u64(e.time)
        w.u8(e.kind.rawValue)
        w.u32(UInt32(e.payload.count))
        buffer += w.bytes
        buffer += e.payload
        buffer += e.hash
        if buffer.count >= 1 << 22 { try flush() }
    }

    public func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        try flush()
        try handle.synchronize()
        try handle.close()
    }
}

/// Reads a record file entry by entry (memory-mapped). Structural problems are thrown with the
/// byte offset; hashes are returned as stored, for the verifier to recompute.
public struct RecordReader: Sequence, IteratorProtocol {
    private let data: Data
    private var offset: Int

    public init(path: String) throws {
        guard let d = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw RecordError.io("cannot read \(path)")
        }
        guard d.count >= RecordFile.header.count, Array(d.prefix(RecordFile.header.count)) == RecordFile.header else {
            throw RecordError.format("\(path) is not a Dauys record (bad header)")
        }
        data = d
        offset = RecordFile.header.count
    }

    public var isAtEnd: Bool { offset >= data.count }
    public var bytesRead: Int { offset }
    public var totalBytes: Int { data.count }

    /// The next entry, nil at the end; a malformed frame is returned as an error result.
    public mutating func next() -> Result<BoardEntry, RecordError>? {
        if offset >= data.count { return nil }
        guard data.count - offset >= 21 else {
            offset = data.count
            return .failure(.format("truncated entry header at byte \(offset)"))
        }
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<BoardEntry, RecordError> in
            let base = raw.baseAddress!.advanced(by: offset)
            func be64(_ p: UnsafeRawPointer) -> UInt64 {
                (0..<8).reduce(0) { $0 << 8 | UInt64(p.load(fromByteOffset: $1, as: UInt8.self)) }
            }
            let index = be64(base), time = be64(base + 8)
            let kindByte = base.load(fromByteOffset: 16, as: UInt8.self)
            let len = Int(
                (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(base.load(fromByteOffset: 17 + $1, as: UInt8.self)) })
            let start = offset + 21
            guard data.count - start >= len + 32 else {
                let at = offset
                offset = data.count
                return .failure(.format("truncated entry \(index) at byte \(at)"))
            }
            let payload = Array(UnsafeRawBufferPointer(rebasing: raw[start..<(start + len)]))
            let hash = Array(UnsafeRawBufferPointer(rebasing: raw[(start + len)..<(start + len + 32)]))
            let at = offset
            offset = start + len + 32
            guard let kind = EntryKind(rawValue: kindByte) else {
                return .failure(.format("entry \(index) at byte \(at) has unknown kind \(kindByte)"))
            }
            return .success(BoardEntry(index: index, time: time, kind: kind, payload: payload, storedHash: hash))
        }
    }
}

public enum RecordError: Error, CustomStringConvertible, Sendable {
    case io(String)
    case format(String)
    public var description: String {
        switch self {
        case .io(let s): "record file: \(s)"
        case .format(let s): "record format: \(s)"
        }
    }
}
