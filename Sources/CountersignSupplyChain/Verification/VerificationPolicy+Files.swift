public import CountersignCore
internal import Foundation

extension VerificationPolicy {
    /// Every ArtifactPolicy of `bundle`, with its key files read relative to `directory` (the policy file's
    /// directory, as the policy names them). For the CLI and server edge; library callers pass key text.
    public static func all(in bundle: PolicyBundle, keyDirectory directory: String) throws(SupplyChainError)
        -> [VerificationPolicy]
    {
        var out: [VerificationPolicy] = []
        for (name, policy) in bundle.artifactPolicies.sorted(by: { $0.key < $1.key }) {
            var keys: [String: String] = [:]
            for path in Set(policy.signatureKeys + policy.provenanceKeys) {
                let full = path.hasPrefix("/") ? path : directory + "/" + path
                guard let data = FileContents.read(atPath: full), data.count <= 64 << 10,
                    let text = String(data: data, encoding: .utf8)
                else {
                    throw SupplyChainError(
                        .invalidConfiguration, "ArtifactPolicy \(name): cannot read key file \(full)")
                }
                keys[path] = text
            }
            var root: TrustedRoot? = nil
            if let path = policy.trustedRoot {
                root = try TrustedRoot(contentsOf: path.hasPrefix("/") ? path : directory + "/" + path)
            }
            out.append(try VerificationPolicy(policy: policy, keys: keys, trustedRoot: root))
        }
        return out
    }
}
