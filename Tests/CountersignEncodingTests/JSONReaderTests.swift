import CountersignEncoding
import Foundation
import Testing

/// The one JSON reader: what it refuses is what lets two parties read one document two ways.
@Suite struct JSONReaderTests {
    @Test(arguments: [
        (#"{"a":1,"a":2}"#, JSONError.Code.duplicateKey),
        (#"{"a":{"b":1},"a":{"b":1}}"#, .duplicateKey),
        // The same key through an escape is the same key.
        (#"{"a":1,"\u0061":2}"#, .duplicateKey),
        (#"["\ud800"]"#, .syntax), (#"["\udc00"]"#, .syntax), (#"["\ud800\u0041"]"#, .syntax),
        ("[1,]", .syntax), ("01", .syntax), ("-", .syntax), ("1.", .syntax), (".5", .syntax), ("1e", .syntax),
        ("", .syntax), (#"{"a" 1}"#, .syntax), ("nul", .syntax), ("[1] x", .syntax), ("\u{FEFF}1", .syntax),
        ("\"a\u{1}\"", .syntax), (#""\x""#, .syntax), ("NaN", .syntax), ("Infinity", .syntax),
        ("1e400", .inexactNumber), ("-1e400", .inexactNumber), ("1e-400", .inexactNumber),
        ("9007199254740993", .inexactNumber), ("-9007199254740993", .inexactNumber),
        ("18446744073709551616", .inexactNumber), ("295147905179352825856", .inexactNumber),
    ])
    func refusesWhatIsNotIJSON(_ input: String, _ code: JSONError.Code) {
        #expect(throws: JSONError(code, "")) { try JSONValue(parsing: input) }
    }

    /// An integer written beyond 2^53 is kept when writing it back gives the same text, which is always so for
    /// what the canonical writer wrote: a ledger always reads its own entries.
    @Test(arguments: [
        "9007199254740992", "-9007199254740992", "100000000000000000000", "295147905179352830000", "0e5", "-0",
        "1E2", "0.0", "5e-324",
    ])
    func keepsNumbersThatRoundTrip(_ input: String) throws {
        let value = try JSONValue(parsing: input)
        let again = try JSONValue(parsing: value.canonicalString)
        #expect(again == value)
    }

    @Test func refusesBytesThatAreNotUTF8() throws {
        for bytes: [UInt8] in [
            [0x22, 0xC3, 0x22],  // truncated two-byte sequence
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // an encoded surrogate
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xFF, 0x22],
            [0x22, 0x5C, 0x6E, 0xE2, 0x82, 0x22],  // after an escape
            [0x7B, 0x22, 0xE9, 0x22, 0x3A, 0x31, 0x7D],  // in a key
        ] {
            #expect(throws: JSONError(.invalidUTF8, "")) { try JSONValue(parsing: bytes) }
        }
        // A replacement character that was really sent is fine.
        #expect(try JSONValue(parsing: Array("\"\u{FFFD}é😀\"".utf8)) == .string("\u{FFFD}é😀"))
    }

    @Test func boundsDepthAndSize() throws {
        let deep = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        #expect(throws: JSONError(.tooDeep, "")) { try JSONValue(parsing: deep) }
        _ = try JSONValue(parsing: String(repeating: "[", count: 128) + String(repeating: "]", count: 128))
        let limits = JSONLimits(maxBytes: 10, maxDepth: 2)
        #expect(throws: JSONError(.tooLarge, "")) { try JSONValue(parsing: "[1,2,3,4,5]", limits: limits) }
        #expect(throws: JSONError(.tooDeep, "")) { try JSONValue(parsing: "[[[]]]", limits: limits) }
        _ = try JSONValue(parsing: "[[1]]", limits: limits)
    }

    @Test func reportsWhereItStopped() {
        do {
            _ = try JSONValue(parsing: #"{"a": [1, 2,, 3]}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.offset == 12)
            #expect(error.description == "invalid JSON at byte 12: unexpected character")
        }
    }

    @Test func readsEscapesAndKeepsMemberOrder() throws {
        let value = try JSONValue(parsing: #"{"z":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","a":[true,false,null,-1.5e3]}"#)
        #expect(value.objectMembers?.map(\.0) == ["z", "a"])
        #expect(value["z"] == .string("\"\\/\u{8}\u{C}\n\r\té😀"))
        #expect(value["a"] == .array([.bool(true), .bool(false), .null, .number(-1500)]))
    }

    /// Arbitrary bytes are refused with an error or read, never a trap; what is read writes back as a fixed point.
    @Test func arbitraryBytesNeverTrap() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]",:0123456789-+.eE\u"trufalsn "#.utf8) + [0xC3, 0xA9, 0xFF, 0xED]
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            if let value = try? JSONValue(parsing: bytes) {
                let text = value.canonicalString
                #expect((try? JSONValue(parsing: text))?.canonicalString == text, "\(bytes)")
            }
        }
    }
}
