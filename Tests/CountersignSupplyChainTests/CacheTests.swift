import CountersignSupplyChain
import Foundation
import Testing

@Suite struct CacheTests {
    @Test func verifiedDigestsAreCachedUntilTheyExpireOrThePolicyChanges() throws {
        let release = TestKey("release")
        let policy = try Fixtures.policy("images: ['*']\nsignatures: { keys: [k] }", keys: ["k": release.pem])
        let material = ArtifactMaterial(signatures: [Fixtures.signature(Fixtures.payload(), by: release)])
        let result = ArtifactVerifier(policy: policy).verify(Fixtures.image, material: material)
        let cache = VerificationCache(timeToLive: 60)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        #expect(cache.lookup(Fixtures.image, policy: policy, now: t0) == nil)
        cache.store(result, for: Fixtures.image, policy: policy, now: t0)
        #expect(cache.lookup(Fixtures.image, policy: policy, now: t0.addingTimeInterval(59))?.verdict == .verified)
        #expect(cache.lookup(Fixtures.image, policy: policy, now: t0.addingTimeInterval(60)) == nil)
        cache.store(result, for: Fixtures.image, policy: policy, now: t0)
        // The same digest in another repository is not a hit: its signatures live there.
        let copy = try ImageReference(parsing: "registry.example.com/other/app@\(Fixtures.digest)")
        #expect(cache.lookup(copy, policy: policy, now: t0) == nil)
        // A comment changes nothing the policy proves: the same definition, the same hash.
        let commented = try Fixtures.policy("images: ['*']\nsignatures: { keys: [k] }\n# v2", keys: ["k": release.pem])
        #expect(commented.policyHash == policy.policyHash)
        // A new definition (another ArtifactPolicy hash) empties the cache.
        let changed = try Fixtures.policy("images: ['*', 'x/*']\nsignatures: { keys: [k] }", keys: ["k": release.pem])
        #expect(changed.policyHash != policy.policyHash)
        #expect(cache.lookup(Fixtures.image, policy: changed, now: t0) == nil)
        #expect(cache.count == 0)
        // Rejections are never cached.
        let rejected = ArtifactVerifier(policy: changed).verify(Fixtures.image, material: ArtifactMaterial())
        cache.store(rejected, for: Fixtures.image, policy: changed, now: t0)
        #expect(cache.count == 0)
    }
}
