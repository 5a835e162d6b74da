import CountersignSupplyChain
import Crypto
import Foundation
import Testing

@Suite struct DSSETests {
    /// The DSSE spec's (protocol.md) test vector.
    @Test func paeMatchesTheSpecVector() {
        let pae = DSSEEnvelope.pae(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
        // Lengths count bytes, not characters.
        let utf8 = DSSEEnvelope.pae(payloadType: "t", payload: Array("é".utf8))
        #expect(String(decoding: utf8, as: UTF8.self) == "DSSEv1 1 t 2 é")
        #expect(String(decoding: DSSEEnvelope.pae(payloadType: "", payload: []), as: UTF8.self) == "DSSEv1 0  0 ")
    }

    @Test func verifiesEachSignatureAndCountsDistinctKeys() throws {
        let a = TestKey("a")
        let b = TestKey("b")
        let stranger = TestKey("stranger")
        let bytes = Fixtures.envelope(Fixtures.statement(), signers: [a, b, stranger, a])
        let envelope = try DSSEEnvelope(parsing: bytes)
        #expect(envelope.signatures.count == 4)
        let keys = [try PublicKey(pem: a.pem, name: "a.pub"), try PublicKey(pem: b.pem, name: "b.pub")]
        let (accepted, unmatched) = envelope.verify(with: keys)
        #expect(accepted.map { $0.name } == ["a.pub", "b.pub"])
        #expect(unmatched == ["signature 3 by key stranger"])
        #expect(envelope.payload == Fixtures.statement())
    }

    @Test func acceptsURLSafeBase64AndRawECDSASignatures() throws {
        let key = TestKey("k")
        let payload = Array("hello world".utf8)
        let pae = DSSEEnvelope.pae(payloadType: "http://example.com/HelloWorld", payload: payload)
        let raw = try key.key.signature(for: pae).rawRepresentation
        let urlSafe = raw.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let json =
            #"{"payload":"aGVsbG8gd29ybGQ","payloadType":"http://example.com/HelloWorld","signatures":[{"sig":"\#(urlSafe)"}],"extra":1}"#
        let envelope = try DSSEEnvelope(parsing: Array(json.utf8))
        #expect(envelope.payload == payload)
        let (accepted, _) = envelope.verify(with: [try PublicKey(pem: key.pem, name: "k")])
        #expect(accepted.count == 1)
    }

    @Test func ed25519SignaturesVerify() throws {
        let key = TestEd25519Key("ed")
        let publicKey = try PublicKey(pem: key.pem, name: "ed.pub")
        #expect(publicKey.algorithm == .ed25519)
        let message = Array("message".utf8)
        #expect(publicKey.verifies(key.sign(message), over: message))
        #expect(!publicKey.verifies(key.sign(message), over: Array("messagf".utf8)))
    }

    @Test(arguments: [
        #"{"payloadType":"t","signatures":[]}"#, #"{"payload":"aGk=","signatures":[]}"#,
        #"{"payload":"aGk=","payloadType":"t"}"#, #"{"payload":"aGk=","payloadType":"t","signatures":[{}]}"#,
        #"{"payload":"!!!","payloadType":"t","signatures":[]}"#,
        #"{"payload":"aGk=","payloadType":"t","signatures":[{"sig":"a"}]}"#,
        #"{"payload":"aGk=","payload":"aGk=","payloadType":"t","signatures":[]}"#, "[]", "", "{",
    ])
    func malformedEnvelopesAreErrors(json: String) {
        #expect(throws: SupplyChainError.self) { try DSSEEnvelope(parsing: Array(json.utf8)) }
    }
}
