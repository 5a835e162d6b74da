internal import CountersignEncoding

/// A DSSE envelope (v1.0.2): a payload, its type, and signatures over the PAE of the two.
///
/// Verification is over `PAE(payloadType, payload)` of the *decoded* payload bytes, and the statement is then
/// parsed from exactly those bytes — never from a re-serialisation. `keyid` is an unauthenticated hint used only
/// in messages.
public struct DSSEEnvelope: Sendable, Hashable {
    public static let mediaType = "application/vnd.dsse.envelope.v1+json"
    public static let inTotoPayloadType = "application/vnd.in-toto+json"

    public struct Signature: Sendable, Hashable {
        public let keyID: String
        public let signature: [UInt8]
    }

    public let payloadType: String
    public let payload: [UInt8]
    public let signatures: [Signature]

    /// The most signatures an envelope may carry: more is a resource attack, not a real attestation.
    public static let maxSignatures = 32

    public init(payloadType: String, payload: [UInt8], signatures: [Signature]) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// Parses the envelope JSON. `payload`, `payloadType`, `signatures` and each `sig` are required; unknown
    /// fields are ignored, as the spec says.
    public init(parsing bytes: [UInt8]) throws(SupplyChainError) {
        let json = try JSONValue.document(bytes, what: "the DSSE envelope", maxDepth: 16)
        try self.init(json: json)
    }

    init(json: JSONValue) throws(SupplyChainError) {
        func fail(_ why: String) -> SupplyChainError {
            SupplyChainError(.malformedDocument, "the DSSE envelope \(why)")
        }
        guard json.objectMembers != nil else { throw fail("is not a JSON object") }
        guard let type = json["payloadType"]?.stringValue else { throw fail("has no payloadType string") }
        guard let body = json["payload"]?.stringValue else { throw fail("has no payload string") }
        guard let list = json["signatures"]?.arrayValue else { throw fail("has no signatures array") }
        guard list.count <= DSSEEnvelope.maxSignatures else {
            throw fail("has \(list.count) signatures (at most \(DSSEEnvelope.maxSignatures))")
        }
        payloadType = type
        payload = try Base64.decode(body, what: "the DSSE payload")
        var signatures: [Signature] = []
        for (n, s) in list.enumerated() {
            guard let sig = s["sig"]?.stringValue else { throw fail("signature \(n + 1) has no sig string") }
            let keyID = s["keyid"]?.stringValue ?? ""
            signatures.append(
                Signature(keyID: keyID, signature: try Base64.decode(sig, what: "DSSE signature \(n + 1)")))
        }
        self.signatures = signatures
    }

    /// The pre-authentication encoding: `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths in ASCII
    /// decimal byte counts.
    public static func pae(payloadType: String, payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + payloadType.utf8.count + 32)
        out += Array("DSSEv1 ".utf8)
        out += Array(String(payloadType.utf8.count).utf8)
        out.append(0x20)
        out += Array(payloadType.utf8)
        out.append(0x20)
        out += Array(String(payload.count).utf8)
        out.append(0x20)
        out += payload
        return out
    }

    public var pae: [UInt8] { DSSEEnvelope.pae(payloadType: payloadType, payload: payload) }

    /// The distinct trusted keys whose signature over the PAE verifies, and a note for each signature that
    /// verified with none of them. A threshold counts keys, not signatures: one key signing twice counts once.
    public func verify(with keys: [PublicKey]) -> (accepted: [PublicKey], unmatched: [String]) {
        let message = pae
        var accepted: [PublicKey] = []
        var unmatched: [String] = []
        for (n, s) in signatures.enumerated() {
            if let key = keys.first(where: { $0.verifies(s.signature, over: message) }) {
                if !accepted.contains(key) { accepted.append(key) }
            } else {
                let hint = s.keyID.isEmpty ? "signature \(n + 1)" : "signature \(n + 1) by key \(s.keyID.prefix(64))"
                unmatched.append(hint)
            }
        }
        return (accepted, unmatched)
    }
}
