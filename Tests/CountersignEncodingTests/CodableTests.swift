import CountersignEncoding
import Foundation
import Testing

@Suite struct CodableTests {
    struct Approval: Codable, Equatable {
        var by: String
        var at: Date
        var weight: Int
        var note: String?
        var tags: [String]
        var body: Data
        var extra: JSONValue?
    }

    enum Kind: String, Codable, CaseIterable { case deploy, rollback }

    struct Request: Codable, Equatable {
        var kind: Kind
        var approvals: [Approval]
        var ratio: Double
        var nested: [String: [Int]]
    }

    static let sample = Request(
        kind: .deploy,
        approvals: [
            Approval(
                by: "alice", at: Date(timeIntervalSince1970: 1_762_164_000.25), weight: 2, note: nil, tags: ["a"],
                body: Data([0, 1, 255]), extra: .object([("k", .array([.null]))])),
            Approval(
                by: "bob", at: Date(timeIntervalSince1970: 0), weight: -3, note: "ok", tags: [], body: Data(),
                extra: nil),
        ],
        ratio: 0.5, nested: ["x": [1, 2]])

    @Test func roundTripsWithoutText() throws {
        let value = try JSONValueEncoder().encode(Self.sample)
        #expect(value["approvals"]?.arrayValue?.first?["at"] == .string("2025-11-03T10:00:00.250Z"))
        #expect(value["approvals"]?.arrayValue?.first?["body"] == .string("AAH/"))
        #expect(value["approvals"]?.arrayValue?.first?["note"] == nil)
        #expect(try JSONValueDecoder().decode(Request.self, from: value) == Self.sample)
        // And through text, the way request bodies arrive.
        #expect(try JSONValueDecoder().decode(Request.self, from: value.canonicalBytes) == Self.sample)
    }

    @Test(arguments: [
        (#"{"kind":"deploy","approvals":[],"ratio":1}"#, "body.nested is missing"),
        (#"{"kind":"deploy","approvals":[{}],"ratio":1,"nested":{}}"#, "body.approvals[0].by is missing"),
        (
            #"{"kind":"ship","approvals":[],"ratio":1,"nested":{}}"#,
            "body.kind must be one of deploy, rollback (found 'ship')"
        ),
        (#"{"kind":"deploy","approvals":[],"ratio":"1","nested":{}}"#, "body.ratio must be a number (found a string)"),
        (#"{"kind":"deploy","approvals":[],"ratio":null,"nested":{}}"#, "body.ratio must be a number (found null)"),
        (
            #"{"kind":"deploy","approvals":[],"ratio":1,"nested":{"x":[1.5]}}"#,
            "body.nested.x[0] must be a whole number a Int holds (found 1.5)"
        ),
        (#"{"kind":"deploy","approvals":[],"ratio":1,"nested":{"x":[1e300]}}"#, "body.nested.x[0] must be a whole"),
        (#"[]"#, "body must be an object (found an array)"),
    ])
    func namesTheFieldThatIsWrong(_ input: String, _ message: String) {
        do {
            _ = try JSONValueDecoder(root: "body").decode(Request.self, from: Array(input.utf8))
            Issue.record("accepted \(input)")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }

    @Test func refusesTimesThatAreNotRFC3339() {
        let body = #"{"by":"a","at":"2026-11-03 10:00","weight":1,"tags":[],"body":""}"#
        #expect(throws: JSONError(.invalidValue, "")) {
            try JSONValueDecoder().decode(Approval.self, from: Array(body.utf8))
        }
    }

    @Test func refusesNumbersJSONCannotHold() throws {
        struct Ratio: Encodable { var r: Double }
        struct Big: Encodable { var n: UInt64 }
        #expect(throws: JSONError(.notRepresentable, "")) { try JSONValueEncoder().encode(Ratio(r: .nan)) }
        #expect(throws: JSONError(.notRepresentable, "")) { try JSONValueEncoder().encode(Ratio(r: .infinity)) }
        #expect(throws: JSONError(.notRepresentable, "")) { try JSONValueEncoder().encode(Big(n: 1 << 60)) }
        #expect(try JSONValueEncoder().encode(Big(n: 1 << 53)) == .object([("n", .number(9_007_199_254_740_992))]))
    }

    @Test func integersDecodeOnlyWhenExact() throws {
        #expect(try JSONValueDecoder().decode(UInt8.self, from: .number(255)) == 255)
        #expect(throws: JSONError.self) { try JSONValueDecoder().decode(UInt8.self, from: .number(256)) }
        #expect(throws: JSONError.self) { try JSONValueDecoder().decode(Int.self, from: .number(-0.5)) }
        #expect(throws: JSONError.self) { try JSONValueDecoder().decode(UInt.self, from: .number(-1)) }
    }
}
