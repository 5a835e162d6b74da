internal import CountersignEncoding
internal import Crypto
internal import Foundation

/// `X-PagerDuty-Signature` (PagerDuty's v3 webhooks): one or more comma-separated `v1=<hex HMAC-SHA256 of the raw
/// body>` — several while a subscription's secret is being rotated. A delivery is genuine when any of them is the
/// signature under this server's secret, compared in constant time.
public enum PagerDutySignature {
    public static func sign(_ body: [UInt8], secret: String) -> String {
        "v1=" + Hex.encode(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
    }

    public static func isValid(_ header: String?, body: [UInt8], secret: String) -> Bool {
        guard let header, !secret.isEmpty else { return false }
        let expected = Array(
            HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
        var valid = false
        for part in header.split(separator: ",") {
            let signature = part.trimmingCharacters(in: .whitespaces)
            guard signature.hasPrefix("v1="), let given = Hex.decode(signature.dropFirst(3)), given.count == 32
            else { continue }
            // Every candidate is compared in full, so the time taken says nothing about which one matched.
            if APIToken.constantTimeEquals(given, expected) { valid = true }
        }
        return valid
    }
}
