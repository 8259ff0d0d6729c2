import Foundation

/// Minimal, dependency-free SVG charts for the publication and the observers' report.
enum SVG {
    static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    static func frame(_ w: Int, _ h: Int, _ title: String, _ inner: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"sans-serif\" font-size=\"11\"><title>\(Publication.esc(title))</title><text x=\"10\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(Publication.esc(title))</text>\(inner)</svg>\n"
    }

    /// Lines over categorical x, y in [0, 1]; the first series drawn thick.
    static func lines(title: String, x: [String], series: [(String, [Double])]) -> String {
        let w = 760, h = 320, l = 50, r = 170, t = 30, b = 30
        let pw = Double(w - l - r), ph = Double(h - t - b)
        var s = ""
        for k in 0...10 {
            let y = Double(t) + ph * (1 - Double(k) / 10)
            s +=
                "<line x1=\"\(l)\" x2=\"\(w - r)\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#eee\"/><text x=\"\(l - 5)\" y=\"\(y + 4)\" text-anchor=\"end\">\(k * 10)%</text>"
        }
        for (i, lab) in x.enumerated() {
            s +=
                "<text x=\"\(Double(l) + pw * Double(i) / Double(max(x.count - 1, 1)))\" y=\"\(h - 10)\" text-anchor=\"middle\">\(lab)</text>"
        }
        for (si, (name, ys)) in series.enumerated() {
            let pts = ys.enumerated().map {
                "\(Double(l) + pw * Double($0.offset) / Double(max(ys.count - 1, 1))),\(Double(t) + ph * (1 - $0.element))"
            }.joined(separator: " ")
            let color = si == 0 ? "#000" : palette[(si - 1) % palette.count]
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(si == 0 ? 3 : 1)\" points=\"\(pts)\"/>"
            if si < 21 {
                s +=
                    "<text x=\"\(w - r + 8)\" y=\"\(t + 12 * si + 4)\" fill=\"\(color)\">\(Publication.esc(name))</text>"
            }
        }
        return frame(w, h, title, s)
    }

    /// Horizontal bars in [0, 1] with a reference line (e.g. 50 %).
    static func bars(title: String, labels: [String], values: [Double], line: Double?) -> String {
        let w = 760, rowH = 16, l = 190, t = 30
        let h = t + rowH * labels.count + 20
        let pw = Double(w - l - 60)
        var s = ""
        for (i, (lab, v)) in zip(labels, values).enumerated() {
            let y = t + i * rowH
            s +=
                "<text x=\"\(l - 6)\" y=\"\(y + 12)\" text-anchor=\"end\">\(Publication.esc(lab))</text><rect x=\"\(l)\" y=\"\(y + 2)\" width=\"\(pw * v)\" height=\"\(rowH - 4)\" fill=\"\(v > (line ?? 2) ? "#2ca02c" : "#d62728")\"/><text x=\"\(Double(l) + pw * v + 4)\" y=\"\(y + 12)\">\(Publication.pct(v))</text>"
        }
        if let line {
            s +=
                "<line x1=\"\(Double(l) + pw * line)\" x2=\"\(Double(l) + pw * line)\" y1=\"\(t)\" y2=\"\(h - 20)\" stroke=\"#000\" stroke-dasharray=\"4\"/>"
        }
        return frame(w, h, title, s)
    }

    /// A histogram of values in [0, 1].
    static func histogram(title: String, values: [Double], bins: Int = 50) -> String {
        let w = 760, h = 240, l = 50, t = 30, b = 30
        var counts = [Int](repeating: 0, count: bins)
        for v in values { counts[min(bins - 1, max(0, Int(v * Double(bins))))] += 1 }
        let maxC = max(counts.max() ?? 1, 1)
        let pw = Double(w - l - 20), ph = Double(h - t - b), bw = pw / Double(bins)
        var s = ""
        for (i, c) in counts.enumerated() {
            let bh = ph * Double(c) / Double(maxC)
            s +=
                "<rect x=\"\(Double(l) + bw * Double(i))\" y=\"\(Double(t) + ph - bh)\" width=\"\(bw - 1)\" height=\"\(bh)\" fill=\"#1f77b4\"><title>\(i * 100 / bins)–\((i + 1) * 100 / bins)%: \(c)</title></rect>"
        }
        for k in stride(from: 0, through: 100, by: 10) {
            s += "<text x=\"\(Double(l) + pw * Double(k) / 100)\" y=\"\(h - 10)\" text-anchor=\"middle\">\(k)%</text>"
        }
        return frame(w, h, title, s)
    }

    /// The "election fingerprint": precincts binned by turnout (x) and yes share (y).
    static func fingerprint(title: String, points: [(Double, Double)], bins: Int = 50) -> String {
        let size = 400, l = 50, t = 30
        var grid = [[Int]](repeating: [Int](repeating: 0, count: bins), count: bins)
        for (x, y) in points {
            grid[min(bins - 1, max(0, Int(y * Double(bins))))][min(bins - 1, max(0, Int(x * Double(bins))))] += 1
        }
        let maxC = max(grid.flatMap { $0 }.max() ?? 1, 1)
        let cell = Double(size) / Double(bins)
        var s = ""
        for (yi, row) in grid.enumerated() {
            for (xi, c) in row.enumerated() where c > 0 {
                let shade = Int(255 - 255 * sqrt(Double(c) / Double(maxC)))
                s +=
                    "<rect x=\"\(Double(l) + cell * Double(xi))\" y=\"\(Double(t) + Double(size) - cell * Double(yi + 1))\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(shade),\(shade),255)\"><title>\(c)</title></rect>"
            }
        }
        s +=
            "<rect x=\"\(l)\" y=\"\(t)\" width=\"\(size)\" height=\"\(size)\" fill=\"none\" stroke=\"#000\"/><text x=\"\(l + size / 2)\" y=\"\(t + size + 20)\" text-anchor=\"middle\">turnout →</text><text x=\"\(l - 10)\" y=\"\(t + size / 2)\" text-anchor=\"end\">yes ↑</text>"
        return frame(size + 80, size + 60, title, s)
    }
}
