internal import CountersignEncoding
internal import Crypto
internal import Foundation

/// `X-Hub-Signature-256`: `sha256=` and the lowercase hex HMAC-SHA256 of the raw body bytes, keyed with the
/// webhook secret. Checked in constant time before the body is parsed — as the body streams in, through `Check`,
/// so a delivery is verified the moment its last byte arrives; Countersign's own outbound webhooks sign the same
/// way.
public enum WebhookSignature {
    public static func sign(_ body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + Hex.encode(mac)
    }

    /// Whether `header` is the signature of exactly `body` under `secret`.
    public static func isValid(_ header: String?, body: [UInt8], secret: String) -> Bool {
        guard var check = Check(header: header, secret: secret) else { return false }
        check.update(body)
        return check.isValid
    }

    /// A signature check fed the body chunk by chunk. It exists only for a well-formed header and a secret, so a
    /// delivery without one is refused before any of its body is read.
    public struct Check {
        private let expected: [UInt8]
        private var mac: HMAC<SHA256>

        public init?(header: String?, secret: String) {
            guard let header, header.hasPrefix("sha256="), !secret.isEmpty else { return nil }
            let hex = header.dropFirst("sha256=".count)
            guard let given = Hex.decode(hex), given.count == 32 else { return nil }
            expected = given
            mac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        }

        public mutating func update(_ bytes: UnsafeRawBufferPointer) { mac.update(data: bytes) }

        mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

        /// Compares in constant time (swift-crypto's MAC equality).
        public var isValid: Bool {
            let code = mac.finalize()
            return code == Data(expected)
        }
    }

}
