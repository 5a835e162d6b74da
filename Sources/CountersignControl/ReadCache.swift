internal import Foundation
internal import Synchronization

/// Small per-node caches for the hottest reads, each keyed so it can never serve something the ledger has moved
/// past: authenticated tokens for a few seconds (a revocation takes effect on every node within `tokenLifetime`;
/// an expiry, exactly when it falls),
/// and each request's latest decision as encoded bytes, keyed by the decision's sequence number — the projection
/// is still asked which decision is latest on every read, so a new decision recorded by any node is seen at once.
final class ReadCache: Sendable {
    /// How long an authenticated token is trusted without asking the ledger again.
    static let tokenLifetime: TimeInterval = 5
    static let capacity = 10_000

    private struct Tokens {
        var entries: [String: (principal: Principal, until: Date)] = [:]
    }
    private struct Decisions {
        var entries: [String: (seq: Int64, body: [UInt8])] = [:]
    }

    private let tokens = Mutex(Tokens())
    private let decisions = Mutex(Decisions())

    func principal(forHash hash: String, now: Date) -> Principal? {
        tokens.withLock { state in
            guard let hit = state.entries[hash] else { return nil }
            guard hit.until > now else {
                state.entries[hash] = nil
                return nil
            }
            return hit.principal
        }
    }

    /// Remembers an authenticated token until `tokenLifetime` from `now` or the token's own expiry, whichever is
    /// sooner: the cache may delay a revocation by a few seconds, never extend a token's life.
    func remember(_ principal: Principal, forHash hash: String, now: Date, expiresAt: Date? = nil) {
        let until = min(now.addingTimeInterval(Self.tokenLifetime), expiresAt ?? .distantFuture)
        guard until > now else { return }
        tokens.withLock { state in
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[hash] = (principal, until)
        }
    }

    /// Forgets every token of `tokenID` (after a revocation on this node).
    func forgetToken(id: String) {
        tokens.withLock { state in state.entries = state.entries.filter { $0.value.principal.tokenID != id } }
    }

    func decision(request: String, seq: Int64) -> [UInt8]? {
        decisions.withLock { state in
            guard let hit = state.entries[request], hit.seq == seq else { return nil }
            return hit.body
        }
    }

    func remember(decision body: [UInt8], request: String, seq: Int64) {
        decisions.withLock { state in
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[request] = (seq, body)
        }
    }
}
