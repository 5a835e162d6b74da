internal import Foundation

/// Charts drawn on the server as SVG: no JavaScript, no external assets, readable by screen readers (each chart is
/// an `img` with a title and a description; the pages also show the numbers in a table).
enum SVGChart {
    struct Series {
        var name: String
        var values: [Double]
        /// The CSS class that colours it (`series-a`, `series-b`, …).
        var style: String
    }

    static let width = 640.0
    static let height = 220.0
    static let margin = (top: 12.0, right: 12.0, bottom: 58.0, left: 48.0)

    /// Grouped vertical bars: one group per label, one bar per series.
    static func bars(title: String, labels: [String], series: [Series], format: (Double) -> String = axis) -> String {
        let maxValue = max(series.flatMap(\.values).max() ?? 0, 1e-9)
        let (plotW, plotH) = (width - margin.left - margin.right, height - margin.top - margin.bottom)
        let groupW = plotW / Double(max(labels.count, 1))
        let barW = max(1, groupW * 0.8 / Double(max(series.count, 1)))
        var svg = open(title: title, description: describe(labels, series, format))
        svg += grid(maxValue, format)
        for (i, label) in labels.enumerated() {
            let x0 = margin.left + Double(i) * groupW + groupW * 0.1
            for (j, s) in series.enumerated() where i < s.values.count {
                let h = s.values[i] / maxValue * plotH
                svg += rect(
                    x: x0 + Double(j) * barW, y: margin.top + plotH - h, w: barW - 1, h: h, style: s.style,
                    tip: "\(label) — \(s.name): \(format(s.values[i]))")
            }
            if labels.count <= 16 || i % max(1, labels.count / 8) == 0 {
                // Labels longer than their slot are slanted so neighbours do not overlap.
                if Double(label.count) * 6.5 > groupW {
                    let (x, y) = (x0 + groupW * 0.4, height - margin.bottom + 12)
                    svg +=
                        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"end\" transform=\"rotate(-30 \(f(x)) \(f(y)))\">"
                        + escape(label) + "</text>"
                } else {
                    svg += text(x: x0 + groupW * 0.4, y: height - margin.bottom + 16, label, anchor: "middle")
                }
            }
        }
        return svg + legend(series.map { ($0.name, $0.style) }) + "</svg>"
    }

    /// Horizontal bars: one row per label, one bar per series, labels on the left in a column of their own — a
    /// label has its row whatever its length and however many rows there are, so no two can collide (a label longer
    /// than its column is shortened, whole in the row's tooltip). The chart grows with its rows.
    static func hbars(
        title: String, labels: [String], series: [Series], ceiling: Double? = nil, format: (Double) -> String = axis
    ) -> String {
        let maxValue = max(ceiling ?? series.flatMap(\.values).max() ?? 0, 1e-9)
        // A bar's value is written after it, in 11-unit type: each bar gets a 14-unit lane, so no two values touch.
        let rowH = 8.0 + 14.0 * Double(max(series.count, 1))
        let labelW = 150.0
        let (left, right) = (margin.left + labelW, width - margin.right - 44)
        let h = margin.top + Double(labels.count) * rowH + 30
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(h))\" role=\"img\" "
            + "aria-label=\"\(escape(title))\"><title>\(escape(title))</title><desc>"
            + escape(describe(labels, series, format)) + "</desc>"
        for (i, label) in labels.enumerated() {
            let y0 = margin.top + Double(i) * rowH
            let shown = label.count > 22 ? String(label.prefix(21)) + "…" : label
            svg +=
                "<text x=\"\(f(left - 8))\" y=\"\(f(y0 + rowH / 2 + 3))\" text-anchor=\"end\"><title>\(escape(label))</title>"
                + escape(shown) + "</text>"
            for (j, s) in series.enumerated() where i < s.values.count {
                let w = s.values[i] / maxValue * (right - left)
                let y = y0 + 4 + Double(j) * 14
                svg += rect(
                    x: left, y: y + 2, w: max(w, 0.5), h: 9, style: s.style,
                    tip: "\(label) — \(s.name): \(format(s.values[i]))")
                svg += text(x: left + max(w, 0.5) + 4, y: y + 10.5, format(s.values[i]), anchor: "start")
            }
        }
        svg +=
            "<line class=\"grid\" x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(margin.top))\" "
            + "y2=\"\(f(margin.top + Double(labels.count) * rowH))\"/>"
        return svg + legend(series.map { ($0.name, $0.style) }, y: h - 8, x: left) + "</svg>"
    }

    /// A sparkline: one small bar per week (its block rate), the weeks with no request left empty, so a table row
    /// shows a rule's history at a glance. Labelled for screen readers with every week's figure.
    static func spark(title: String, values: [Double?], style: String = "series-c") -> String {
        let (w, h) = (Double(max(values.count, 1)) * 6, 22.0)
        let described = values.enumerated().map {
            "week \($0 + 1): \($1.map { "\(Int(($0 * 100).rounded())) %" } ?? "none")"
        }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"spark\" viewBox=\"0 0 \(f(w)) \(f(h))\" width=\"\(f(w))\" "
            + "height=\"\(f(h))\" role=\"img\" aria-label=\"\(escape(title + ": " + described.joined(separator: ", ")))\">"
        svg += "<line class=\"base\" x1=\"0\" x2=\"\(f(w))\" y1=\"\(f(h - 0.5))\" y2=\"\(f(h - 0.5))\"/>"
        for (i, v) in values.enumerated() {
            guard let v else { continue }
            let bar = max(1.5, v * (h - 2))
            svg +=
                "<rect class=\"\(v > 0 ? style : "zero")\" x=\"\(f(Double(i) * 6 + 1))\" y=\"\(f(h - 1 - bar))\" width=\"4\" height=\"\(f(bar))\"/>"
        }
        return svg + "</svg>"
    }

    /// A line over labelled points; `nil` values leave a gap.
    static func line(
        title: String, labels: [String], values: [Double?], style: String = "series-a",
        format: (Double) -> String = axis, ceiling: Double? = nil
    ) -> String {
        let maxValue = max(ceiling ?? values.compactMap { $0 }.max() ?? 0, 1e-9)
        let (plotW, plotH) = (width - margin.left - margin.right, height - margin.top - margin.bottom)
        let step = plotW / Double(max(values.count - 1, 1))
        let described = zip(labels, values).map { "\($0): \($1.map(format) ?? "no data")" }.joined(separator: "; ")
        var svg = open(title: title, description: described)
        svg += grid(maxValue, format)
        var path = ""
        var pen = false
        for (i, v) in values.enumerated() {
            guard let v else {
                pen = false
                continue
            }
            let (x, y) = (margin.left + Double(i) * step, margin.top + plotH - v / maxValue * plotH)
            path += "\(pen ? "L" : "M")\(f(x)) \(f(y)) "
            pen = true
            svg +=
                "<circle class=\"\(style)\" cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3\"><title>"
                + escape("\(labels[i]): \(format(v))") + "</title></circle>"
        }
        svg += "<path class=\"line \(style)\" d=\"\(path)\" fill=\"none\"/>"
        // At most about six labels, always the first and the last, never two closer than a stride.
        let k = max(1, Int((Double(labels.count) / 6).rounded(.up)))
        let last = labels.count - 1
        for i in labels.indices where (i % k == 0 && last - i >= k) || i == last {
            let anchor = i == 0 ? "start" : i == last ? "end" : "middle"
            svg += text(x: margin.left + Double(i) * step, y: height - margin.bottom + 16, labels[i], anchor: anchor)
        }
        return svg + "</svg>"
    }

    /// A five-number summary per row: canary and baseline side by side on one shared horizontal scale.
    struct Box {
        var label: String
        var canary: [Double]  // min, q1, median, q3, max
        var baseline: [Double]
    }

    /// One row per metric, each on its own scale (metrics differ by orders of magnitude; within a row canary and
    /// baseline share one, which is the comparison that matters).
    static func boxes(title: String, _ rows: [Box], format: (Double) -> String = axis) -> String {
        let rowH = 64.0
        let h = margin.top + Double(rows.count) * rowH + 24
        let left = 150.0
        let right = width - 70
        let description = rows.map { r in
            "\(r.label): canary median \(format(r.canary[safe: 2])), baseline median \(format(r.baseline[safe: 2]))"
        }.joined(separator: "; ")
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(h))\" role=\"img\" "
            + "aria-label=\"\(escape(title))\"><title>\(escape(title))</title><desc>\(escape(description))</desc>"
        for (i, row) in rows.enumerated() {
            let y0 = margin.top + Double(i) * rowH
            let all = (row.canary + row.baseline).filter(\.isFinite)
            let (lo, hi) = (all.min() ?? 0, all.max() ?? 1)
            let span = hi - lo > 0 ? hi - lo : 1
            func x(_ v: Double) -> Double { left + (v - lo) / span * (right - left) }
            svg += text(x: 4, y: y0 + 26, row.label, anchor: "start")
            svg += text(x: left, y: y0 + 56, format(lo), anchor: "start")
            svg += text(x: right, y: y0 + 56, format(hi), anchor: "end")
            for (j, (values, style, name)) in [
                (row.baseline, "series-b", "baseline"), (row.canary, "series-a", "canary"),
            ]
            .enumerated() {
                guard values.count == 5, values.allSatisfy(\.isFinite) else { continue }
                let y = y0 + 4 + Double(j) * 22
                svg +=
                    "<line class=\"whisker\" x1=\"\(f(x(values[0])))\" x2=\"\(f(x(values[4])))\" y1=\"\(f(y + 8))\" y2=\"\(f(y + 8))\"/>"
                svg += rect(
                    x: x(values[1]), y: y, w: max(1, x(values[3]) - x(values[1])), h: 16, style: style,
                    tip: "\(name) \(row.label): min \(format(values[0])), q1 \(format(values[1])), median "
                        + "\(format(values[2])), q3 \(format(values[3])), max \(format(values[4]))")
                svg +=
                    "<line class=\"median\" x1=\"\(f(x(values[2])))\" x2=\"\(f(x(values[2])))\" y1=\"\(f(y))\" y2=\"\(f(y + 16))\"/>"
                svg += text(x: right + 6, y: y + 12, name, anchor: "start")
            }
        }
        return svg + "</svg>"
    }

    // MARK: Pieces

    /// Numbers for people: no exponent for everyday magnitudes, three significant digits for small ones.
    static func axis(_ v: Double) -> String {
        guard v.isFinite else { return "—" }
        if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
        if abs(v) >= 100 { return String(format: "%.0f", v) }
        if abs(v) >= 1 { return String(format: "%.2f", v) }
        return String(format: "%.3g", v)
    }

    static func open(title: String, description: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
            + "role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title><desc>"
            + escape(description) + "</desc>"
    }

    static func grid(_ maxValue: Double, _ format: (Double) -> String) -> String {
        let plotH = height - margin.top - margin.bottom
        var svg = ""
        for k in 0...4 {
            let v = maxValue * Double(k) / 4
            let y = margin.top + plotH - plotH * Double(k) / 4
            svg +=
                "<line class=\"grid\" x1=\"\(f(margin.left))\" x2=\"\(f(width - margin.right))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
            svg += text(x: margin.left - 6, y: y + 4, format(v), anchor: "end")
        }
        return svg
    }

    static func legend(_ items: [(String, String)], y: Double = height - 6, x: Double = margin.left) -> String {
        var svg = ""
        var cursor = x
        for (name, style) in items {
            svg += "<rect class=\"\(style)\" x=\"\(f(cursor))\" y=\"\(f(y - 9))\" width=\"10\" height=\"10\"/>"
            svg += text(x: cursor + 14, y: y, name, anchor: "start")
            cursor += 24 + Double(name.count) * 7
        }
        return svg
    }

    static func rect(x: Double, y: Double, w: Double, h: Double, style: String, tip: String) -> String {
        "<rect class=\"\(style)\" x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(max(h, 0)))\"><title>"
            + escape(tip) + "</title></rect>"
    }

    static func text(x: Double, y: Double, _ s: String, anchor: String) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\">\(escape(s))</text>"
    }

    static func describe(_ labels: [String], _ series: [Series], _ format: (Double) -> String) -> String {
        series.map { s in
            "\(s.name): " + zip(labels, s.values).map { "\($0) \(format($1))" }.joined(separator: ", ")
        }.joined(separator: ". ")
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Text and attribute escaping for SVG (XML).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

extension Array where Element == Double {
    subscript(safe i: Int) -> Double { indices.contains(i) ? self[i] : .nan }
}
