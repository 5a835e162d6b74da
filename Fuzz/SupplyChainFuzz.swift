// libFuzzer harness for the supply-chain parsers: every input goes through each parser, which must answer
// with a value or an error — never a trap, a sanitizer report, or a hang. Round-trip properties are checked
// where a parser has a canonical form. Built and run by Fuzz/run.sh.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    if let reference = try? ImageReference(parsing: text) {
        // The canonical form must read back to the same reference.
        guard let again = try? ImageReference(parsing: reference.canonical), again == reference else {
            fatalError("canonical form does not round-trip: \(text)")
        }
    }
    if let digest = try? Digest(parsing: text), digest.description != text {
        fatalError("a digest parsed from non-canonical text: \(text)")
    }
    _ = try? JSON.parse(bytes, what: "fuzz")
    _ = try? DSSEEnvelope(parsing: bytes)
    if let statement = try? InTotoStatement(parsing: bytes) { _ = try? SLSAProvenance(statement: statement) }
    _ = try? SimpleSigningPayload(parsing: bytes)
    _ = try? SigstoreBundle(parsing: bytes)
    _ = try? Manifest(parsing: bytes, digest: Digest.of(bytes), contentType: nil)
    _ = try? AdmissionRequest(review: bytes)
    _ = try? PublicKey(pem: text, name: "fuzz")
    _ = try? PublicKey(der: bytes, name: "fuzz")
    _ = AuthChallenge(header: text)
    _ = try? Base64.decode(text, what: "fuzz")
    return 0
}
