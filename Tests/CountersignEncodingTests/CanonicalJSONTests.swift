import CountersignEncoding
import Foundation
import Testing

@Suite struct CanonicalJSONTests {
    @Test(arguments: [
        (#"{"b":1,"a":[true,null,"x"]}"#, #"{"a":[true,null,"x"],"b":1}"#),
        (#"{"€":1,"\r":2,"1":3,"😀":4,"ö":5}"#, #"{"\r":2,"1":3,"ö":5,"€":1,"😀":4}"#),
        (
            "[1e21, 1e20, 0.000001, 1e-7, -0, 123.456, 4.50, 1E2, 9007199254740992]",
            "[1e+21,100000000000000000000,0.000001,1e-7,0,123.456,4.5,100,9007199254740992]"
        ),
        (#"["\u0001\"\\\/\u00e9\u2028"]"#, "[\"\\u0001\\\"\\\\/é\u{2028}\"]"),
        (
            "[5e-324, 1.7976931348623157e308, 333333333.33333329, 1e23, 0.1]",
            "[5e-324,1.7976931348623157e+308,333333333.3333333,1e+23,0.1]"
        ),
    ])
    func canonicalizesLikeRFC8785(_ input: String, _ expected: String) throws {
        #expect(try JSONValue(parsing: input).canonicalString == expected)
    }

    /// RFC 8785 Appendix B, "Number Serialization Samples" (https://www.rfc-editor.org/rfc/rfc8785#appendix-B,
    /// IETF Trust, Simplified BSD License): IEEE 754 bit patterns and the text each must be written as. The
    /// NaN and Infinity samples are left out: JSON cannot hold them, and the encoder refuses them.
    @Test(arguments: [
        ("0000000000000000", "0"), ("8000000000000000", "0"), ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"), ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"), ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"), ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"), ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"), ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"), ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"), ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ])
    func writesTheRFC8785NumberSamples(_ bits: String, _ expected: String) throws {
        let d = Double(bitPattern: try #require(UInt64(bits, radix: 16)))
        #expect(JSONValue.number(d).canonicalString == expected)
        // And reads each back as the same double.
        #expect(try JSONValue(parsing: expected).numberValue == (d == 0 ? 0 : d))
    }

    @Test func canonicalFormIsAFixedPoint() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite else { continue }
            let text = JSONValue.number(d).canonicalString
            let back = try JSONValue(parsing: text)
            #expect(back.numberValue == d || (d == 0 && back.numberValue == 0), "\(d) → \(text)")
            #expect(back.canonicalString == text)
        }
    }

    @Test func equalityIsCanonicalEquality() throws {
        #expect(try JSONValue(parsing: #"{"a":1.0,"b":[2]}"#) == JSONValue(parsing: #"{"b":[2e0],"a":1}"#))
        #expect(try JSONValue(parsing: #"{"a":1}"#) != JSONValue(parsing: #"{"a":"1"}"#))
    }

    @Test func prettyTextReadsBackAsTheSameValue() throws {
        let value = try JSONValue(parsing: #"{"b":[1,{"c":null}],"a":"x\ny","e":{},"f":[]}"#)
        #expect(
            value.prettyString == """
                {
                  "a": "x\\ny",
                  "b": [
                    1,
                    {
                      "c": null
                    }
                  ],
                  "e": {},
                  "f": []
                }
                """)
        #expect(try JSONValue(parsing: value.prettyString) == value)
    }
}
