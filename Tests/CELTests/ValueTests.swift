import CountersignEncoding
import Testing

@testable import CEL

@Suite struct ValueTests {
    @Test func mapLookupIsCrossNumericAndOrdered() throws {
        var m = MapValue()
        let first = m.insert(MapKey(.uint(1))!, .string("one"))
        let second = m.insert(MapKey(.int(-1))!, .string("minus one"))
        let duplicate = m.insert(MapKey(.int(1))!, .string("dup"))
        #expect(first && second)
        #expect(!duplicate, "1 and 1u are the same key")
        #expect(m[MapKey(.int(1))!].map { $0.celEquals(.string("one")) } == true)
        #expect(MapKey.lookup(.double(1.0)).flatMap { m[$0] } != nil)
        #expect(MapKey.lookup(.double(1.5)) == nil)
        #expect(MapKey(.double(1)) == nil, "doubles are not valid keys")
        #expect(m.keys.map(\.value.description) == ["1u", "-1"])
    }

    @Test(arguments: [4, 8, 9, 100])
    func largeMapsStayConsistentAcrossTheIndexThreshold(_ n: Int) throws {
        var m = MapValue()
        for i in 0..<n { m.set(MapKey(.string("k\(i)"))!, .int(Int64(i))) }
        for i in 0..<n { m.set(MapKey(.string("k\(i)"))!, .int(Int64(i * 2))) }
        #expect(m.count == n)
        for i in 0..<n {
            #expect(m["k\(i)"].map { $0.celEquals(.int(Int64(i * 2))) } == true)
        }
        #expect(m["missing"] == nil)
    }

    @Test func stringsCompareByCodePointNotCanonicalEquivalence() {
        let composed = Value.string("\u{E9}")
        let decomposed = Value.string("e\u{301}")
        #expect(!composed.celEquals(decomposed))
        #expect(Value.string("a").compare(.string("b")) == -1)
        #expect(Value.string("\u{FFFF}").compare(.string("\u{10000}")) == -1, "code point order, not UTF-16")
        #expect(Value.string("same").celEquals(.string("same")))
        #expect(Value.string(String(repeating: "x", count: 40)).celEquals(.string(String(repeating: "x", count: 40))))
        #expect(
            !Value.string(String(repeating: "x", count: 40)).celEquals(.string(String(repeating: "x", count: 39) + "y"))
        )
    }

    @Test func numbersCompareExactlyAcrossTypes() {
        // CEL compares int and double through double (lossy beyond 2^53), as cel-go and cel-cpp do.
        #expect(Value.int(9_007_199_254_740_993).compare(.double(9_007_199_254_740_992)) == 0)
        #expect(Value.int(.max).compare(.double(9_223_372_036_854_775_808.0)) == 0)
        #expect(Value.uint(.max).compare(.double(1e20)) == -1)
        #expect(Value.int(-1).compare(.uint(0)) == -1)
        #expect(Value.double(.nan).compare(.int(1)) == nil)
        #expect(Value.int(1).celEquals(.double(1.0)))
        #expect(!Value.double(.nan).celEquals(.double(.nan)))
    }

    @Test(
        arguments: [
            (123.456, "123.456"), (-4.5e-3, "-0.0045"), (1e21, "1e+21"), (123456, "123456"), (1234567, "1.234567e+06"),
            (0.0001, "0.0001"), (0.00001, "1e-05"), (1.0, "1"), (-0.0, "-0"), (.infinity, "+Inf"),
        ] as [(Double, String)])
    func doublesPrintLikeGo(_ d: Double, _ expected: String) {
        #expect(GoFloat.formatG(d) == expected)
    }

    @Test func jsonParsesEveryShape() throws {
        let v = try Value(json: #" {"a": [1, -2.5, 1e3, true, false, null, "x\u00e9\ud83d\ude00\n"], "b": {}} "#)
        guard case .map(let m) = v, case .list(let l)? = m["a"] else {
            Issue.record("expected a map with a list")
            return
        }
        #expect(l.count == 7)
        #expect(l[0].celEquals(.int(1)) && l[0].typeName == "int")
        #expect(l[1].typeName == "double" && l[2].celEquals(.double(1000)))
        #expect(l[6].celEquals(.string("xé😀\n")))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "\"\\x\"", "\"\\ud800\"", "tru", "1 2", "\"a\u{1}\""])
    func jsonRejectsMalformedInput(_ text: String) {
        #expect(throws: JSONError.self) { try Value(json: text) }
    }
}
