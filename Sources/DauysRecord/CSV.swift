/// RFC 4180 CSV: comma-separated, fields optionally in double quotes, "" for a quote inside a
/// quoted field, CRLF or LF line ends. Each record carries the line it started on.
public enum CSV {
    public struct Record: Sendable {
        public let line: Int
        public let fields: [String]
    }
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public static func parse(_ text: String) -> [Result<Record, Failure>] {
        var out: [Result<Record, Failure>] = []
        var fields: [String] = [], field = "", inQuotes = false, afterQuote = false
        var line = 1, recordLine = 1, bad: String? = nil
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        func endRecord() {
            fields.append(field)
            if let b = bad {
                out.append(.failure(Failure(line: recordLine, reason: b)))
            } else if !(fields.count == 1 && fields[0].isEmpty) {
                out.append(.success(Record(line: recordLine, fields: fields)))
            }
            fields = []
            field = ""
            bad = nil
            afterQuote = false
        }
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "," {
                fields.append(field)
                field = ""
                afterQuote = false
            } else if c == "\r" && i + 1 < chars.count && chars[i + 1] == "\n" {
                // handled by the \n
            } else if c == "\n" {
                endRecord()
                line += 1
                recordLine = line
            } else if c == "\"" {
                if field.isEmpty && !afterQuote {
                    inQuotes = true
                } else {
                    bad = bad ?? "stray quote inside an unquoted field"
                }
            } else {
                if afterQuote { bad = bad ?? "text after a closing quote" }
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes { bad = "quoted field is not closed" }
        if !field.isEmpty || !fields.isEmpty || bad != nil { endRecord() }
        return out
    }
}
