import CountersignEncoding
import Foundation
import Testing

@Suite struct HexTests {
    @Test func encodesAndDecodes() {
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.decode("000FA5ff") == [0x00, 0x0f, 0xa5, 0xff])
        for bad in ["0", "0g", "  ", "é0"] { #expect(Hex.decode(bad) == nil, "\(bad)") }
        #expect(Hex.isLowercase("09af") && !Hex.isLowercase("09AF") && !Hex.isLowercase("0x"))
    }

    /// FIPS 180-4 examples (NIST CSRC "Example Algorithms", SHA256.pdf): "abc" and the empty message.
    @Test func sha256MatchesTheNISTExamples() {
        #expect(Hex.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.sha256([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
