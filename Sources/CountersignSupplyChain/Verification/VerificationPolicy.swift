public import CEL
public import CountersignCore

/// An ``ArtifactPolicy`` made ready to verify with: its keys parsed, its source-ref patterns compiled, and the
/// hash of its definition, so results (and the cache, and the gate) know which version of it they were made under. Built once per policy load; each verification brings only its own artifact.
public struct VerificationPolicy: Sendable {
    public let policy: ArtifactPolicy
    public let signatureKeys: [PublicKey]
    public let provenanceKeys: [PublicKey]
    /// Keyless signers accepted for signatures and for attestations.
    public let signatureIdentities: [CertificateIdentity]
    public let provenanceIdentities: [CertificateIdentity]
    /// What keyless signatures are verified against: the policy's `trustedRoot`, or Sigstore's public-good root.
    public let trustedRoot: TrustedRoot?
    /// ``ArtifactPolicy/hash``: the definition this verifies under.
    public var policyHash: String { policy.hash }
    let sourceRefPatterns: [LinearRegex]
    let imagePatterns: [[UInt8]]

    /// - Parameter keys: PEM text for every key the policy names, keyed by the name as written in the policy.
    /// - Parameter trustedRoot: the root the policy's `trustedRoot` names, read by the caller; nil is the public-good
    ///   root (used only when the policy accepts keyless signers).
    public init(policy: ArtifactPolicy, keys: [String: String], trustedRoot: TrustedRoot? = nil)
        throws(SupplyChainError)
    {
        func load(_ names: [String]) throws(SupplyChainError) -> [PublicKey] {
            var out: [PublicKey] = []
            for name in names {
                guard let pem = keys[name] else {
                    throw SupplyChainError(
                        .invalidConfiguration, "ArtifactPolicy \(policy.name): no key material for '\(name)'")
                }
                let label = name.split(separator: "/").last.map(String.init) ?? name
                let key = try PublicKey(pem: pem, name: label)
                if !out.contains(key) { out.append(key) }
            }
            return out
        }
        func identities(_ list: [ArtifactPolicy.KeylessIdentity]) throws(SupplyChainError) -> [CertificateIdentity] {
            var out: [CertificateIdentity] = []
            for identity in list {
                if let pattern = identity.subjectPattern {
                    out.append(try CertificateIdentity(issuer: identity.issuer, subjectPattern: pattern))
                } else {
                    out.append(CertificateIdentity(issuer: identity.issuer, subject: identity.subject ?? ""))
                }
            }
            return out
        }
        self.policy = policy
        self.signatureKeys = try load(policy.signatureKeys)
        self.provenanceKeys = try load(policy.provenanceKeys)
        self.signatureIdentities = try identities(policy.signatureIdentities)
        self.provenanceIdentities = try identities(policy.provenanceIdentities)
        if policy.signatureIdentities.isEmpty && policy.provenanceIdentities.isEmpty {
            self.trustedRoot = trustedRoot
        } else if let trustedRoot {
            self.trustedRoot = trustedRoot
        } else {
            self.trustedRoot = try TrustedRoot.publicGood.get()
        }
        var patterns: [LinearRegex] = []
        // Anchored: a pattern matches the whole ref, so `refs/heads/main` is not also `refs/heads/main-evil`.
        for p in policy.sourceRefs {
            do { patterns.append(try LinearRegex("^(?:\(p))$")) } catch {
                throw SupplyChainError(
                    .invalidConfiguration, "ArtifactPolicy \(policy.name): source ref pattern '\(p)': \(error.message)")
            }
        }
        sourceRefPatterns = patterns
        imagePatterns = policy.images.map { Array($0.utf8) }
        if signatureKeys.count + signatureIdentities.count < policy.signatureThreshold, policy.requiresSignatures {
            throw SupplyChainError(
                .invalidConfiguration,
                "ArtifactPolicy \(policy.name): threshold \(policy.signatureThreshold) exceeds the \(signatureKeys.count) distinct keys and \(signatureIdentities.count) identities"
            )
        }
    }

    public var name: String { policy.name }

    /// Whether the policy's `images` globs cover `image` (`registry/repository`); `*` spans any characters,
    /// `/` included, `?` exactly one.
    public func covers(_ image: ImageReference) -> Bool {
        let name = Array(image.name.utf8)
        return imagePatterns.contains { VerificationPolicy.glob($0[...], name[...]) }
    }

    static func glob(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        // Iterative matching with one backtrack point: linear in practice, no recursion.
        var p = pattern.startIndex
        var t = text.startIndex
        var star: Int? = nil
        var mark = t
        while t < text.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                star = p
                p += 1
                mark = t
            } else if let s = star {
                p = s + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }
}
