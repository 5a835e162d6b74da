internal import CountersignEncoding
internal import Crypto
internal import Foundation

/// What a transparency-log entry says was logged, held against the bundle: the same signature, by the same
/// certificate (or key), over the same artifact. An inclusion proof proves the entry's bytes are in the log; only this
/// comparison makes the entry this bundle's — otherwise any logged entry would vouch for any signature.
///
/// The kinds Sigstore writes: `hashedrekord` 0.0.1 and `dsse` 0.0.1 (Rekor v1), `intoto` 0.0.2 (older Rekor v1
/// attestations; payload and signature base64 twice) and `hashedrekord` 0.0.2 (Rekor v2, also for DSSE: the digest
/// of the envelope's PAE).
struct LogEntryBody {
    /// The signer as the bundle carries it: its certificate's DER, or its key's SPKI DER.
    enum Signer {
        case certificate([UInt8])
        case key([UInt8])
    }

    let entry: SigstoreBundle.LogEntry
    let content: SigstoreBundle.Content
    let signer: Signer
    let artifactDigest: [UInt8]

    /// Why the entry is not this bundle's, or nil when it is.
    func mismatch() -> String? {
        guard let body = try? JSONValue(parsing: entry.body, limits: JSONLimits(maxBytes: 1 << 20, maxDepth: 16)) else {
            return "its body is not JSON"
        }
        guard body["kind"]?.stringValue == entry.kind, body["apiVersion"]?.stringValue == entry.version else {
            return "its body is not the \(entry.kind) \(entry.version) it is said to be"
        }
        switch (entry.kind, entry.version, content) {
        case ("hashedrekord", "0.0.1", .message(_, let signature)):
            return hashedRekordV1(body["spec"], signature: signature)
        case ("dsse", "0.0.1", .dsse(let envelope)):
            return dsseV1(body["spec"], envelope)
        case ("intoto", "0.0.2", .dsse(let envelope)):
            return intotoV2(body["spec"]?["content"], envelope)
        case ("hashedrekord", "0.0.2", .message(_, let signature)):
            return hashedRekordV2(body["spec"]?["hashedRekordV002"], digest: artifactDigest, signature: signature)
        case ("hashedrekord", "0.0.2", .dsse(let envelope)):
            let digest = Array(SHA256.hash(data: envelope.pae))
            return hashedRekordV2(
                body["spec"]?["hashedRekordV002"], digest: digest, signature: envelope.signatures.first?.signature ?? []
            )
        default:
            return "a \(entry.kind) \(entry.version) entry cannot vouch for this bundle"
        }
    }

    /// `{"data":{"hash":{"algorithm":"sha256","value":HEX}},"signature":{"content":B64,"publicKey":{"content":B64(PEM)}}}`
    func hashedRekordV1(_ spec: JSONValue?, signature: [UInt8]) -> String? {
        guard let hash = spec?["data"]?["hash"], hash["algorithm"]?.stringValue == "sha256",
            hash["value"]?.stringValue == Hex.encode(artifactDigest)
        else { return "it logged another artifact digest" }
        guard decoded(spec?["signature"]?["content"]) == signature else { return "it logged another signature" }
        guard signedBy(pem: decoded(spec?["signature"]?["publicKey"]?["content"])) else {
            return "it logged another certificate or key"
        }
        return nil
    }

    /// `{"payloadHash":{"algorithm":"sha256","value":HEX},"signatures":[{"signature":B64,"verifier":B64(PEM)}]}`
    func dsseV1(_ spec: JSONValue?, _ envelope: DSSEEnvelope) -> String? {
        guard let hash = spec?["payloadHash"], hash["algorithm"]?.stringValue == "sha256",
            hash["value"]?.stringValue == Hex.sha256(envelope.payload)
        else { return "it logged another payload" }
        let signature = envelope.signatures.first?.signature
        let logged = spec?["signatures"]?.arrayValue ?? []
        guard
            logged.contains(where: {
                decoded($0["signature"]) == signature && signedBy(pem: decoded($0["verifier"]))
            })
        else { return "it logged another signature or certificate" }
        return nil
    }

    /// `{"envelope":{"payload":B64(B64),"signatures":[{"sig":B64(B64),"publicKey":B64(PEM)}]},"payloadHash":{…}}`
    func intotoV2(_ content: JSONValue?, _ envelope: DSSEEnvelope) -> String? {
        guard let hash = content?["payloadHash"], hash["algorithm"]?.stringValue == "sha256",
            hash["value"]?.stringValue == Hex.sha256(envelope.payload)
        else { return "it logged another payload" }
        let signature = envelope.signatures.first?.signature
        let logged = content?["envelope"]?["signatures"]?.arrayValue ?? []
        guard
            logged.contains(where: { item in
                // Rekor's intoto type base64-encodes the envelope's already base64 signature once more.
                let inner = decoded(item["sig"]).flatMap { String(validating: $0, as: UTF8.self) }
                return inner.flatMap { try? Base64.decode($0, what: "signature") } == signature
                    && signedBy(pem: decoded(item["publicKey"]))
            })
        else { return "it logged another signature or certificate" }
        return nil
    }

    /// `{"data":{"algorithm":"SHA2_256","digest":B64},"signature":{"content":B64,"verifier":{"x509Certificate":{"rawBytes":B64}} | {"publicKey":{"rawBytes":B64}}}}`
    func hashedRekordV2(_ spec: JSONValue?, digest: [UInt8], signature: [UInt8]) -> String? {
        guard spec?["data"]?["algorithm"]?.stringValue == "SHA2_256", decoded(spec?["data"]?["digest"]) == digest
        else { return "it logged another digest" }
        guard decoded(spec?["signature"]?["content"]) == signature else { return "it logged another signature" }
        let verifier = spec?["signature"]?["verifier"]
        switch signer {
        case .certificate(let der):
            guard decoded(verifier?["x509Certificate"]?["rawBytes"]) == der else {
                return "it logged another certificate"
            }
        case .key(let spki):
            guard decoded(verifier?["publicKey"]?["rawBytes"]) == spki else { return "it logged another key" }
        }
        return nil
    }

    func decoded(_ value: JSONValue?) -> [UInt8]? {
        value?.stringValue.flatMap { try? Base64.decode($0, what: "a log entry field") }
    }

    /// Whether PEM text (a certificate, or a public key) is the bundle's signer.
    func signedBy(pem: [UInt8]?) -> Bool {
        guard let pem else { return false }
        let (label, expected): (String, [UInt8]) =
            switch signer {
            case .certificate(let der): ("CERTIFICATE", der)
            case .key(let spki): ("PUBLIC KEY", spki)
            }
        let body = try? PEM.block(label, in: String(decoding: pem, as: UTF8.self), what: "the logged signer")
        return body.flatMap { $0 } == expected
    }
}
