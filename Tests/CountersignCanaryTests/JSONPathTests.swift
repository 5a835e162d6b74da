import CountersignEncoding
import Testing

@testable import CountersignCanary

@Suite struct JSONPathTests {
    static let doc: JSONValue = .object([
        "data": .object([
            "ok": .bool(true), "successPercent": .number(0.97),
            "items": .array([
                .object(["name": .string("a"), "value": .number(1), "status": .string("ok")]),
                .object(["name": .string("b"), "value": .number(2), "status": .string("bad")]),
                .object(["name": .string("c"), "value": .number(3), "status": .string("ok")]),
            ]),
            "a.b": .string("dotted"),
        ])
    ])

    static func eval(_ path: String) throws -> [JSONValue] { try JSONPath(path).evaluate(doc) }

    @Test func paths() throws {
        #expect(try Self.eval("{$}") == [Self.doc])
        #expect(try Self.eval("{$.data.ok}") == [.bool(true)])
        #expect(try Self.eval("{.data.successPercent}") == [.number(0.97)])
        #expect(try Self.eval("{.data.items[0].name}") == [.string("a")])
        #expect(try Self.eval("{.data.items[-1].name}") == [.string("c")])
        #expect(try Self.eval("{.data.items[*].value}") == [.number(1), .number(2), .number(3)])
        #expect(try Self.eval("{.data.items[1:].name}") == [.string("b"), .string("c")])
        #expect(try Self.eval("{.data['a.b']}") == [.string("dotted")])
        #expect(try Self.eval("{..value}") == [.number(1), .number(2), .number(3)])
        #expect(try Self.eval("{.data.items[?(@.status == 'ok')].name}") == [.string("a"), .string("c")])
        #expect(try Self.eval("{.data.items[?(@.value > 1)].name}") == [.string("b"), .string("c")])
        #expect(try Self.eval("{.data.missing}") == [])
        #expect(try Self.eval("{.data.items[9]}") == [])
    }

    @Test func malformedPathsAreRejected() {
        for bad in ["{$.data", "{$.data[}", "{$.data[?(x)]}", "{$.#}", "{$.data[1:b]}", "{..}"] {
            #expect(throws: CanaryError(.invalidConfiguration, ""), "\(bad)") { try JSONPath(bad) }
        }
    }
}
