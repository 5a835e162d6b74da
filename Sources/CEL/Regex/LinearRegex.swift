/// A regular expression in RE2 syntax, matched in time linear in the input (Thompson NFA simulation as a Pike
/// VM with leftmost-first priorities, the semantics of RE2 and Go's `regexp`).
///
/// Unlike Foundation's and Swift's engines, nothing here backtracks: matching costs at most
/// O(input length × ``instructionCount``), so no pattern or input can make a policy evaluation run away.
/// Compilation is bounded too: counted repetitions are limited to 1,000 and programs to 100,000 instructions.
public struct LinearRegex: Sendable {
    let program: [RegexInstruction]
    let captureCount: Int

    /// The size of the compiled program; matching costs at most this many steps per input character.
    public var instructionCount: Int { program.count }

    /// Compiles `pattern`, or throws a ``RegexError`` naming what is wrong and where.
    public init(_ pattern: String) throws(RegexError) {
        var parser = RegexParser(pattern)
        let tree = try parser.parse()
        var compiler = RegexCompiler()
        try compiler.emit(tree)
        compiler.program.append(.match)
        program = compiler.program
        captureCount = parser.captureCount
    }

    /// Whether any substring of `text` matches (CEL `matches()`: anchor with `^…$` to match the whole text).
    public func matches(_ text: String) -> Bool {
        let input = Array(text.unicodeScalars)
        let vm = PikeVM(program: program, input: input, slots: 0)
        return vm.run(from: 0, stopAtFirst: true) != nil
    }

    /// The leftmost-first match, as RE2 and Go's `FindString` report it.
    public func firstMatch(in text: String) -> String? {
        firstMatchGroups(in: text)?.first ?? nil
    }

    /// The match followed by each capture group (`nil` for a group that did not participate).
    public func firstMatchGroups(in text: String) -> [String?]? {
        let input = Array(text.unicodeScalars)
        let vm = PikeVM(program: program, input: input, slots: 2 * (captureCount + 1))
        guard let caps = vm.run(from: 0, stopAtFirst: false) else { return nil }
        return (0...captureCount).map { g in
            let a = caps[2 * g]
            let b = caps[2 * g + 1]
            guard a >= 0, b >= a else { return nil }
            return LinearRegex.string(input[a..<b])
        }
    }

    /// Successive non-overlapping matches, as Go's `FindAllString(text, limit)`: an empty match directly after a
    /// previous match is skipped; a negative limit means all.
    public func allMatches(in text: String, limit: Int = -1) -> [String] {
        let input = Array(text.unicodeScalars)
        let vm = PikeVM(program: program, input: input, slots: 2)
        var results: [String] = []
        var pos = 0
        var previousEnd = -1
        while pos <= input.count, limit < 0 || results.count < limit {
            guard let caps = vm.run(from: pos, stopAtFirst: false) else { break }
            let (a, b) = (caps[0], caps[1])
            if b == a && a == previousEnd {
                // An empty match right after the previous one: move on one character.
                pos = a + 1
                continue
            }
            results.append(LinearRegex.string(input[a..<b]))
            previousEnd = b
            pos = b > a ? b : b + 1
        }
        return results
    }

    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        return String(s)
    }
}

enum RegexInstruction: Sendable {
    case char(Unicode.Scalar)
    case charFold([Unicode.Scalar])
    case charClass(CharacterClass)
    case any
    case anyNotNewline
    /// Try `x` first, then `y`.
    case split(Int, Int)
    case jump(Int)
    case save(Int)
    case assert(RegexNode.Assertion)
    case match
}

extension RegexNode {
    enum Assertion: Sendable {
        case beginLine, endLine, beginText, endText, wordBoundary, notWordBoundary
    }
}

struct RegexCompiler {
    var program: [RegexInstruction] = []
    static let maxInstructions = 100_000

    mutating func append(_ i: RegexInstruction) throws(RegexError) {
        guard program.count < RegexCompiler.maxInstructions else {
            throw RegexError(
                message: "pattern too large: more than \(RegexCompiler.maxInstructions) instructions", offset: 0)
        }
        program.append(i)
    }

    mutating func emit(_ node: RegexNode) throws(RegexError) {
        switch node {
        case .empty: break
        case .literal(let c, let fold):
            let variants = fold ? CharacterClass.caseVariants(c) : []
            try append(variants.isEmpty ? .char(c) : .charFold([c] + variants))
        case .any(let dotAll): try append(dotAll ? .any : .anyNotNewline)
        case .charClass(let c): try append(.charClass(c))
        case .beginLine: try append(.assert(.beginLine))
        case .endLine: try append(.assert(.endLine))
        case .beginText: try append(.assert(.beginText))
        case .endText: try append(.assert(.endText))
        case .wordBoundary(let negated): try append(.assert(negated ? .notWordBoundary : .wordBoundary))
        case .capture(let n, let inner):
            try append(.save(2 * n))
            try emit(inner)
            try append(.save(2 * n + 1))
        case .concat(let items):
            for item in items { try emit(item) }
        case .alternate(let branches):
            var jumps: [Int] = []
            for (k, branch) in branches.enumerated() {
                if k < branches.count - 1 {
                    let split = program.count
                    try append(.split(split + 1, -1))
                    try emit(branch)
                    jumps.append(program.count)
                    try append(.jump(-1))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try emit(branch)
                }
            }
            for j in jumps { program[j] = .jump(program.count) }
        case .repeat(let inner, let minCount, let maxCount, let greedy):
            for _ in 0..<minCount { try emit(inner) }
            if let maxCount {
                // (x(x(x)?)?)? for the optional copies.
                var splits: [Int] = []
                for _ in minCount..<maxCount {
                    splits.append(program.count)
                    try append(.split(-1, -1))
                    try emit(inner)
                }
                for s in splits { program[s] = greedy ? .split(s + 1, program.count) : .split(program.count, s + 1) }
            } else {
                let loop = program.count
                try append(.split(-1, -1))
                try emit(inner)
                try append(.jump(loop))
                program[loop] = greedy ? .split(loop + 1, program.count) : .split(program.count, loop + 1)
            }
        }
    }
}

/// Pike VM: simulates all NFA threads in lockstep, in priority order, one input scalar at a time.
struct PikeVM {
    let program: [RegexInstruction]
    let input: [Unicode.Scalar]
    let slots: Int

    init(program: [RegexInstruction], input: [Unicode.Scalar], slots: Int) {
        self.program = program
        self.input = input
        self.slots = slots
    }

    struct ThreadList {
        var dense: [(pc: Int, caps: [Int])] = []
        var sparse: [Int]
        init(size: Int) { sparse = Array(repeating: -1, count: size) }
        func contains(_ pc: Int) -> Bool {
            let i = sparse[pc]
            return i >= 0 && i < dense.count && dense[i].pc == pc
        }
        mutating func insert(_ pc: Int, _ caps: [Int]) {
            sparse[pc] = dense.count
            dense.append((pc, caps))
        }
        mutating func clear() { dense.removeAll(keepingCapacity: true) }
    }

    /// Searches for the leftmost-first match starting at or after `start`; returns the capture slots.
    func run(from start: Int, stopAtFirst: Bool) -> [Int]? {
        var current = ThreadList(size: program.count)
        var next = ThreadList(size: program.count)
        var stack: [(pc: Int, caps: [Int])] = []
        var matched: [Int]? = nil
        var pos = start
        while true {
            if matched == nil {
                var caps = Array(repeating: -1, count: slots)
                if slots > 0 { caps[0] = pos }
                addThread(&current, &stack, 0, caps, pos)
            }
            if current.dense.isEmpty { break }
            var k = 0
            while k < current.dense.count {
                let (pc, caps) = current.dense[k]
                k += 1
                switch program[pc] {
                case .match:
                    var result = caps
                    if slots > 1 { result[1] = pos }
                    matched = result
                    if stopAtFirst { return result }
                    k = current.dense.count  // lower-priority threads are cut off
                case .char(let c):
                    if pos < input.count && input[pos] == c { addThread(&next, &stack, pc + 1, caps, pos + 1) }
                case .charFold(let cs):
                    if pos < input.count && cs.contains(input[pos]) { addThread(&next, &stack, pc + 1, caps, pos + 1) }
                case .charClass(let cls):
                    if pos < input.count && cls.matches(input[pos]) { addThread(&next, &stack, pc + 1, caps, pos + 1) }
                case .any:
                    if pos < input.count { addThread(&next, &stack, pc + 1, caps, pos + 1) }
                case .anyNotNewline:
                    if pos < input.count && input[pos] != "\n" { addThread(&next, &stack, pc + 1, caps, pos + 1) }
                default:
                    break
                }
            }
            if pos >= input.count { break }
            pos += 1
            swap(&current, &next)
            next.clear()
        }
        return matched
    }

    /// Adds the thread at `pc` and everything reachable from it without consuming input, in priority order.
    private func addThread(
        _ list: inout ThreadList, _ stack: inout [(pc: Int, caps: [Int])], _ pc0: Int, _ caps0: [Int], _ pos: Int
    ) {
        stack.append((pc0, caps0))
        while let (pc, caps) = stack.popLast() {
            if list.contains(pc) { continue }
            list.insert(pc, caps)
            switch program[pc] {
            case .jump(let target):
                stack.append((target, caps))
            case .split(let x, let y):
                stack.append((y, caps))
                stack.append((x, caps))
            case .save(let n):
                var c = caps
                if n < slots { c[n] = pos }
                stack.append((pc + 1, c))
            case .assert(let a):
                if holds(a, at: pos) { stack.append((pc + 1, caps)) }
            default:
                break
            }
        }
    }

    private func holds(_ a: RegexNode.Assertion, at pos: Int) -> Bool {
        switch a {
        case .beginText: return pos == 0
        case .endText: return pos == input.count
        case .beginLine: return pos == 0 || input[pos - 1] == "\n"
        case .endLine: return pos == input.count || input[pos] == "\n"
        case .wordBoundary, .notWordBoundary:
            let before = pos > 0 && CharacterClass.isWord(input[pos - 1])
            let after = pos < input.count && CharacterClass.isWord(input[pos])
            return (before != after) == (a == .wordBoundary)
        }
    }
}
