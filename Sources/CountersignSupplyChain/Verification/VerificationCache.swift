public import Foundation
internal import Synchronization

/// A short-lived cache of verified digests, so an admission webhook that sees one image fifteen thousand times
/// a day verifies it once (the complaint behind kyverno#4732) — without letting a cache hit outlive the policy
/// that produced it (kyverno#17173): entries are keyed by the policy bundle's hash, and the first lookup or
/// store under a different hash empties the cache.
///
/// Only verified results are kept: a rejection is always re-examined, so fixing a signature takes effect at once.
/// Time is injected (`now:`); the cache never reads a clock.
public final class VerificationCache: Sendable {
    /// The repository is part of the key: a signature lives in (and may name) one repository, so the same
    /// digest copied into another repository is verified there on its own.
    struct Key: Hashable {
        let policy: String
        let name: String
        let digest: Digest
    }
    struct State {
        var policyHash: String? = nil
        var entries: [Key: (result: VerificationResult, expires: Date)] = [:]
    }

    /// How long a verified digest stays trusted without re-verification.
    public let timeToLive: TimeInterval
    /// The most entries kept; beyond it the cache is emptied rather than grown (a flood of distinct digests
    /// must not exhaust memory).
    public let capacity: Int
    private let state = Mutex(State())

    public init(timeToLive: TimeInterval = 300, capacity: Int = 10_000) {
        precondition(timeToLive > 0 && capacity > 0, "a cache needs a positive lifetime and capacity")
        self.timeToLive = timeToLive
        self.capacity = capacity
    }

    /// The cached verified result for `image` (its repository and digest) under `policy`, if it is fresh and the
    /// policy has not changed.
    public func lookup(_ image: ImageReference, policy: VerificationPolicy, now: Date) -> VerificationResult? {
        guard let digest = image.digest else { return nil }
        return state.withLock { s in
            if s.policyHash != policy.policyHash {
                s.entries.removeAll()
                s.policyHash = policy.policyHash
                return nil
            }
            let key = Key(policy: policy.name, name: image.name, digest: digest)
            guard let entry = s.entries[key] else { return nil }
            guard entry.expires > now else {
                s.entries[key] = nil
                return nil
            }
            return entry.result
        }
    }

    /// Keeps `result` for `image` if it is a verification; rejections are not cached.
    public func store(_ result: VerificationResult, for image: ImageReference, policy: VerificationPolicy, now: Date) {
        guard result.verdict == .verified, let digest = image.digest, result.digest == digest,
            result.policyHash == policy.policyHash
        else { return }
        state.withLock { s in
            if s.policyHash != policy.policyHash {
                s.entries.removeAll()
                s.policyHash = policy.policyHash
            }
            if s.entries.count >= capacity { s.entries.removeAll() }
            s.entries[Key(policy: policy.name, name: image.name, digest: digest)] = (
                result, now.addingTimeInterval(timeToLive)
            )
        }
    }

    /// The number of entries held (for tests and metrics).
    public var count: Int { state.withLock { $0.entries.count } }
}
