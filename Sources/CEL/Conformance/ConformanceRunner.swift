internal import Foundation

/// Runs the cel-spec simple conformance suite (`*.textproto`, message `SimpleTestFile`) against this engine.
///
/// A test passes when compiling (with the checker unless `disable_check`) and evaluating give the expected value
/// (exact type, order-agnostic maps, NaN matching NaN), an evaluation error where one is expected, or the expected
/// deduced type. Tests on the skip list are not run.
public struct ConformanceRunner: Sendable {
    public let skipList: ConformanceSkipList
    public let libraries: [Library]

    public init(skipList: ConformanceSkipList, libraries: [Library] = Library.standardLibraries) {
        self.skipList = skipList
        self.libraries = libraries
    }

    /// Reads every `*.textproto` in `directory` (or only the named files) and runs their tests.
    public func run(directory: String, files: [String]? = nil) throws -> ConformanceReport {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".textproto") }
            .map { String($0.dropLast(".textproto".count)) }
            .filter { files == nil || files!.contains($0) }
            .sorted()
        if names.isEmpty { throw ConformanceError(message: "no .textproto files in \(directory)") }
        var report = ConformanceReport()
        for name in names {
            let text = try String(contentsOfFile: directory + "/" + name + ".textproto", encoding: .utf8)
            report.begin(file: name)
            for test in try ConformanceRunner.tests(in: text, file: name) {
                report.record(test, outcome: skipList.contains(test.id) ? .skipped : run(test))
            }
        }
        return report
    }

    /// Decodes every test of every file in `directory`, in file order.
    public static func allTests(directory: String) throws -> [ConformanceTest] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".textproto") }.sorted()
        return try names.flatMap { name in
            try tests(
                in: try String(contentsOfFile: directory + "/" + name, encoding: .utf8),
                file: String(name.dropLast(".textproto".count)))
        }
    }

    /// Decodes the tests of one file.
    public static func tests(in text: String, file: String) throws -> [ConformanceTest] {
        let root = try TextProtoMessage.parse(text)
        var tests: [ConformanceTest] = []
        for case .message(let section) in root.all("section") {
            let sectionName = section.string("name") ?? ""
            for case .message(let t) in section.all("test") {
                var decoder = ConformanceDecoder()
                tests.append(decoder.test(t, id: "\(file)/\(sectionName)/\(t.string("name") ?? "")"))
            }
        }
        return tests
    }

    /// Runs one test.
    public func run(_ test: ConformanceTest) -> ConformanceOutcome {
        let declared = test.functions.isEmpty ? [] : [Library("test", functions: test.functions)]
        let env = Environment(variables: test.variables, container: test.container, libraries: libraries + declared)
        let program: Program
        do {
            program = try env.compile(test.expr, check: !test.disableCheck, macros: !test.disableMacros)
        } catch {
            // A type error satisfies an expected error: cel-spec writes checker-detected errors as `eval_error`
            // (e.g. network_ext/ip_type/is_ip_cidr_compile_error).
            if case .evalError = test.expectation, error.code == .type { return .passed }
            return .failed("compile error: \(error.description)")
        }
        if case .typedValue(_, let expectedType) = test.expectation, !test.disableCheck,
            !ConformanceRunner.sameType(program.resultType, expectedType)
        {
            return .failed("deduced type \(program.resultType), expected \(expectedType)")
        }
        if test.checkOnly { return .passed }
        let result: Result<Value, EvalError>
        do { result = .success(try program.evaluate(test.bindings)) } catch { result = .failure(error) }
        switch (test.expectation, result) {
        case (.evalError, .failure): return .passed
        case (.evalError, .success(let v)): return .failed("expected an error, got \(v)")
        case (.unknown, _): return .failed("unknown results are not supported")
        case (_, .failure(let e)): return .failed("evaluation error: \(e.message)")
        case (.isTrue, .success(let v)):
            return ConformanceRunner.same(v, .bool(true)) ? .passed : .failed("expected true, got \(v)")
        case (.value(let expected), .success(let v)), (.typedValue(let expected, _), .success(let v)):
            return ConformanceRunner.same(v, expected) ? .passed : .failed("expected \(expected), got \(v)")
        }
    }

    /// Test equality: like CEL equality but with exact types (1 ≠ 1u), NaN matching NaN and maps order-agnostic.
    static func same(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.map(let x), .map(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x.entries {
                guard let w = y[k], same(v, w),
                    y.keys.contains(where: { $0.value.typeName == k.value.typeName && $0 == k })
                else { return false }
            }
            return true
        case (.optional(let x), .optional(let y)):
            switch (x, y) {
            case (nil, nil): return true
            case (let p?, let q?): return same(p, q)
            default: return false
            }
        default:
            return a.typeName == b.typeName && a.celEquals(b)
        }
    }

    static func sameType(_ a: CELType, _ b: CELType) -> Bool {
        a == b || a.description == b.description
    }
}

/// The result of one conformance test.
public enum ConformanceOutcome: Sendable, Equatable {
    case passed
    case failed(String)
    case skipped
}

/// A problem reading the suite itself (not a test failure).
public struct ConformanceError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
