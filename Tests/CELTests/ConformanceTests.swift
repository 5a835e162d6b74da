import Foundation
import Testing

@testable import CEL

/// Runs cel-spec's conformance suite (read from ../shared/testdata/cel-spec, cel-spec commit 508bd98, Apache-2.0;
/// see Vectors/SOURCES.md). Every test passes except those on the checked-in skip list, and the skip list holds
/// only tests that need protobuf message types.
@Suite struct ConformanceTests {
    static let testsDirectory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    static let dataDirectory = testsDirectory.appendingPathComponent("../../../shared/testdata/cel-spec").standardized
        .path
    static let skipListPath = testsDirectory.appendingPathComponent("Vectors/conformance-skips.txt").path

    @Test func suitePassesOutsideTheSkipList() throws {
        #expect(FileManager.default.fileExists(atPath: Self.dataDirectory), "missing \(Self.dataDirectory)")
        let skips = try ConformanceSkipList(contentsOf: Self.skipListPath)
        let report = try ConformanceRunner(skipList: skips).run(directory: Self.dataDirectory)
        print(report.table())
        #expect(report.files.count == 30, "expected the 30 cel-spec files")
        #expect(report.total.passed + report.total.failed + report.total.skipped == 2456)
        #expect(report.total.passed >= 1743)
        for failure in report.failures { Issue.record("\(failure)") }
    }

    @Test func skipListHoldsOnlyTestsThatNeedProtobufMessages() throws {
        let skips = try ConformanceSkipList(contentsOf: Self.skipListPath)
        let tests = try ConformanceRunner.allTests(directory: Self.dataDirectory)
        let byID = Dictionary(tests.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(!skips.reasons.isEmpty)
        for id in skips.reasons.keys.sorted() {
            let test = try #require(byID[id], "skip-list entry \(id) is not a test in the suite")
            #expect(test.protobufReason != nil, "\(id) is skipped but does not need protobuf message types")
        }
    }

    @Test func textProtoReaderHandlesTheFormat() throws {
        let m = try TextProtoMessage.parse(
            """
            # comment
            name: "a" 'b'  # adjacent strings concatenate
            test { value: { bytes_value: "\\303\\277\\x41" } }
            test: { [type.googleapis.com/x.Y] { n: -1.5e3 } }
            list: [1, 2]
            """)
        #expect(m.string("name") == "ab")
        #expect(m.all("test").count == 2)
        guard case .message(let t)? = m.first("test"), let v = t.message("value"),
            case .string(let b)? = v.first("bytes_value")
        else {
            Issue.record("expected a bytes value")
            return
        }
        #expect(b == [0xC3, 0xBF, 0x41])
        #expect(m.all("list").count == 2)
        #expect(throws: TextProtoError.self) { try TextProtoMessage.parse("a { b: 1") }
        #expect(throws: TextProtoError.self) { try TextProtoMessage.parse("a: \"unterminated") }
    }
}
