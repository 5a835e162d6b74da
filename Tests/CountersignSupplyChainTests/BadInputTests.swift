import CountersignSupplyChain
import CountersignTesting
import Foundation
import Testing

/// Parsers must answer arbitrary bytes with a value or an error — never a trap, never unbounded work.
@Suite struct BadInputTests {
    static func parseEverything(_ bytes: [UInt8]) {
        _ = try? DSSEEnvelope(parsing: bytes)
        _ = try? InTotoStatement(parsing: bytes)
        _ = try? SimpleSigningPayload(parsing: bytes)
        _ = try? SigstoreBundle(parsing: bytes)
        _ = try? Manifest(parsing: bytes, digest: Fixtures.digest, contentType: nil)
        _ = try? AdmissionRequest(review: bytes)
        _ = try? PublicKey(pem: String(decoding: bytes, as: UTF8.self), name: "fuzz")
        _ = try? PublicKey(der: bytes, name: "fuzz")
        _ = try? ImageReference(parsing: String(decoding: bytes, as: UTF8.self))
        if let statement = try? InTotoStatement(parsing: bytes) { _ = try? SLSAProvenance(statement: statement) }
    }

    @Test func deeplyNestedDocumentsAreRejectedNotRecursedInto() {
        let deep = Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        #expect(throws: SupplyChainError.self) { try DSSEEnvelope(parsing: deep) }
        #expect(throws: SupplyChainError.self) { try AdmissionRequest(review: deep) }
        let deepObject = Array(
            (String(repeating: #"{"a":"#, count: 50_000) + "1" + String(repeating: "}", count: 50_000)).utf8)
        #expect(throws: SupplyChainError.self) { try InTotoStatement(parsing: deepObject) }
    }

    @Test func hugeDocumentsAreRefused() {
        let huge = [UInt8](repeating: 0x20, count: (3 << 20) + 1)
        #expect(throws: SupplyChainError.self) { try AdmissionRequest(review: huge) }
        let manySignatures = Array(
            (#"{"payload":"","payloadType":"t","signatures":["#
                + Array(repeating: #"{"sig":""}"#, count: 1000).joined(separator: ",") + "]}").utf8)
        #expect(throws: SupplyChainError.self) { try DSSEEnvelope(parsing: manySignatures) }
    }

    @Test func malformedPEMAndBase64AreErrors() {
        for pem in [
            "", "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----\nMFkw",
        ] {
            #expect(throws: SupplyChainError.self) { try PublicKey(pem: pem, name: "k") }
        }
    }

    @Test func randomAndMutatedInputsNeverTrap() throws {
        var random = SeededRandom(seed: 6)
        let release = TestKey("release")
        let seeds: [[UInt8]] = [
            Fixtures.envelope(Fixtures.statement(), signers: [release]), Fixtures.statement(), Fixtures.statementV02(),
            Fixtures.payload(), Array(AdmissionTests.review(kind: "CronJob", object: "{}")),
            Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.utf8),
        ]
        for seed in seeds {
            for _ in 0..<300 {
                var bytes = seed
                for _ in 0..<(1 + Int(random.next() % 4)) where !bytes.isEmpty {
                    let i = Int(random.next() % UInt64(bytes.count))
                    switch random.next() % 3 {
                    case 0: bytes[i] = UInt8(truncatingIfNeeded: random.next())
                    case 1: bytes.remove(at: i)
                    default: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: i)
                    }
                }
                Self.parseEverything(bytes)
            }
        }
        for _ in 0..<500 {
            Self.parseEverything((0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
    }
}
