internal import Crypto
internal import Foundation

/// `X-Hub-Signature-256`: `sha256=` and the lowercase hex HMAC-SHA256 of the raw body bytes, keyed with the
/// webhook secret. Checked before the body is parsed, in constant time; Countersign's own outbound webhooks sign
/// the same way.
public enum WebhookSignature {
    public static func sign(_ body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `header` is the signature of exactly `body` under `secret`.
    public static func isValid(_ header: String?, body: [UInt8], secret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), !secret.isEmpty else { return false }
        let hex = header.dropFirst("sha256=".count)
        guard hex.count == 64, let given = bytes(hex) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            given, authenticating: body, using: SymmetricKey(data: Array(secret.utf8)))
    }

    private static func bytes(_ hex: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }
}
