internal import CountersignEncoding
public import CountersignLedger
public import Foundation

/// Ledger entries for tests: a realistic deploy story and filler entries.
public enum LedgerFixtures {
    public static let digest = "sha256:" + String(repeating: "4d", count: 32)
    public static let otherDigest = "sha256:" + String(repeating: "9a", count: 32)
    /// 2026-11-03T09:00:00Z; the story's times are minutes after it.
    public static let start = Date(timeIntervalSince1970: 1_793_696_400)

    public static func at(_ minutes: Double) -> Date { start.addingTimeInterval(minutes * 60) }

    public static func draft(_ type: String, _ actor: String, _ minutes: Double, _ payload: String) -> EntryDraft {
        // Fixture payloads are literals written to be valid; a mistake in one should stop the test loudly.
        try! EntryDraft(
            type: EventType(rawValue: type)!, at: at(minutes), actor: actor, payload: JSONValue(parsing: payload))
    }

    /// A filler entry `i` (a gate decision).
    public static func filler(_ i: Int) -> EntryDraft {
        draft("team.changed", "admin", Double(i) / 60, #"{"team":"t\#(i)","n":\#(i)}"#)
    }

    /// A schema migration to production: requested, checked, verified, approved by two teams, decided, deployed,
    /// then an incident, a break-glass grant and its review — and a second request approved by its own author.
    public static func deployStory() -> [EntryDraft] {
        let artifact = "registry.example.com/payments/migrations:2026.11.3@\(digest)"
        return [
            draft(
                "deploy.requested", "deploy-bot", 0,
                #"""
                {"id":"req-1","service":"payments","environment":"production","artifact":"\#(artifact)",
                 "requester":"deploy-bot","deployer":"deploy-bot",
                 "change":{"commit":"c0ffee1","ref":"refs/heads/main","kind":"schema-migration","reversible":false,
                   "ticket":"PAY-99","pullRequest":{"number":51,"author":"bob","committers":["bob"],"reviewers":["alice"]}}}
                """#),
            draft(
                "artifact.registered", "ci-builder", 1,
                #"{"reference":"\#(artifact)","commit":"c0ffee1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b","repository":"acme/payments"}"#
            ),
            draft(
                "artifact.verified", "countersign", 2,
                #"{"digest":"\#(digest)","policy":"signed-from-main","verified":true,"details":"cosign key release.pub; SLSA v1 from refs/heads/main"}"#
            ),
            draft(
                "check.reported", "ci-builder", 3,
                #"{"id":"chk-1","name":"unit","digest":"\#(digest)","status":"passed","reportedBy":"ci-builder"}"#),
            draft(
                "check.reported", "ci-builder", 4,
                #"{"id":"chk-2","name":"migration-dry-run","digest":"\#(digest)","status":"passed"}"#),
            draft(
                "check.reported", "ci-builder", 4.5,
                #"{"id":"chk-3","name":"integration","digest":"\#(otherDigest)","status":"passed"}"#),
            draft(
                "approval.granted", "alice", 5,
                #"{"id":"apr-1","request":"req-1","approver":"alice","team":"payments-owners","digest":"\#(digest)","environment":"production"}"#
            ),
            draft(
                "approval.granted", "dana", 6,
                #"{"id":"apr-2","request":"req-1","approver":"dana","team":"dba","digest":"\#(digest)","environment":"production"}"#
            ),
            draft(
                "approval.granted", "erin", 6.5,
                #"{"id":"apr-3","request":"req-1","approver":"erin","team":"dba","digest":"\#(otherDigest)","environment":"production"}"#
            ),
            draft(
                "gate.decided", "countersign", 7,
                #"{"request":"req-1","verdict":"allowed","tier":"schema-migration","policy":"sha256:\#(String(repeating: "ab", count: 32))","reasons":[],"controls":[{"control":"approvals","status":"satisfied","message":"2 of 2"},{"control":"checks","status":"satisfied","message":"unit, migration-dry-run"}]}"#
            ),
            draft(
                "deploy.started", "deploy-bot", 8,
                #"{"id":"dep-1","request":"req-1","environment":"production","service":"payments","digest":"\#(digest)"}"#
            ),
            draft("deploy.succeeded", "deploy-bot", 12, #"{"id":"dep-1"}"#),
            draft(
                "incident.opened", "pagerduty", 30,
                #"{"id":"INC-500","severity":"sev2","title":"checkout latency","deploys":["dep-1"]}"#),
            draft(
                "breakglass.invoked", "carol", 31,
                #"{"id":"bg-1","freeze":"black-friday","environment":"production","service":"payments","reason":"roll back","incident":"INC-500","expiresAt":"2026-11-03T13:31:00Z"}"#
            ),
            draft("incident.resolved", "carol", 90, #"{"id":"INC-500"}"#),
            draft("breakglass.reviewed", "eng-manager", 600, #"{"id":"bg-1","outcome":"justified","notes":"ok"}"#),
            draft(
                "deploy.requested", "deploy-bot", 700,
                #"""
                {"id":"req-2","service":"checkout","environment":"production",
                 "artifact":"registry.example.com/checkout/api@\#(otherDigest)","requester":"deploy-bot","deployer":"deploy-bot",
                 "change":{"commit":"beef","ref":"refs/heads/main","kind":"stateless","reversible":true,"committedAt":"2026-11-03T09:00:00Z",
                   "pullRequest":{"number":52,"author":"12345+Bob@users.noreply.github.com","committers":["bobby@example.com"]}}}
                """#),
            draft(
                "approval.granted", "bob", 701,
                #"{"request":"req-2","approver":"bob","digest":"\#(otherDigest)","environment":"production"}"#),
            draft(
                "approval.granted", "frank", 701.5,
                #"{"request":"req-2","approver":"frank","digest":"\#(otherDigest)","environment":"production"}"#),
            draft("approval.withdrawn", "frank", 701.7, #"{"request":"req-2","approver":"frank"}"#),
            draft(
                "gate.decided", "countersign", 702,
                #"{"request":"req-2","verdict":"allowed","tier":"stateless","policy":"sha256:\#(String(repeating: "cd", count: 32))"}"#
            ),
            draft(
                "deploy.started", "deploy-bot", 703,
                #"{"id":"dep-2","request":"req-2","environment":"production","service":"checkout","digest":"\#(otherDigest)"}"#
            ),
            draft("deploy.failed", "deploy-bot", 710, #"{"id":"dep-2"}"#),
            draft(
                "policy.published", "countersign", 799,
                #"{"hash":"sha256:\#(String(repeating: "ab", count: 32))","bootstrap":true,"sources":[]}"#),
            draft(
                "policy.published", "erin", 799.5,
                #"{"hash":"sha256:\#(String(repeating: "cd", count: 32))","proposedBy":"dave","approvedBy":"erin","retiredIdentities":["mallory"],"sources":[{"file":"people.yaml","text":"apiVersion: countersign.dev/v1alpha1\nkind: Identity\nmetadata: { name: bob }\nspec: { kind: human, roles: [approver], aliases: [bobby@example.com] }\n"}]}"#
            ),
            draft(
                "identity.changed", "cli:root", 800,
                #"{"identity":"alice","change":"token.created","token":"tok_1","role":"approver","tokenHash":"\#(String(repeating: "5e", count: 32))"}"#
            ),
            draft(
                "canary.judged", "countersign", 801,
                #"{"id":"cj-1","digest":"\#(digest)","template":"slo-gate","outcome":"pass","score":100}"#),
            draft(
                "change.recorded", "github", 802,
                #"{"repository":"acme/payments","delivery":"d-1","change":{"commit":"c0ffee1","ref":"refs/heads/main","kind":"code","reversible":true,"pullRequest":{"number":51,"author":"bob"}}}"#
            ),
            draft(
                "webhook.received", "github", 802.5,
                #"{"delivery":"d-1","event":"pull_request","action":"opened","outcome":"change evidence"}"#),
            draft(
                "notification.queued", "countersign", 803,
                #"{"id":"nt-1","kind":"webhook","target":"https://hooks.example.com/cs","body":"{}","request":"req-1"}"#
            ),
            draft("notification.attempted", "countersign", 804, #"{"id":"nt-1","outcome":"delivered","attempt":1}"#),
            draft(
                "identity.changed", "alice", 805,
                #"{"identity":"alice","change":"session.started","session":"ses_1","token":"tok_1","role":"approver","#
                    + #""expiresAt":"2026-11-03T18:00:00Z","sessionHash":"\#(String(repeating: "5f", count: 32))"}"#
            ),
            draft(
                "identity.changed", "alice", 806, #"{"identity":"alice","change":"session.ended","session":"ses_1"}"#),
            draft(
                "idempotency.claimed", "countersign", 807,
                #"{"scope":"\#(String(repeating: "1a", count: 32))","fingerprint":"\#(String(repeating: "2b", count: 32))","#
                    + #""operation":"POST /api/v1/checks"}"#),
            draft(
                "idempotency.answered", "countersign", 808,
                #"{"scope":"\#(String(repeating: "1a", count: 32))","status":201,"body":"{\"seq\":5}"}"#),
            draft(
                "commits.pushed", "github", 809,
                #"{"repository":"acme/payments","ref":"refs/heads/main","commits":[{"id":"c0ffee1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b","at":"2026-11-03T07:00:00Z"}]}"#
            ),
            draft(
                "canary.execution", "countersign", 809.2,
                #"{"id":"kx-1","application":"payments","state":"running","status":{"id":"kx-1","complete":false},"unfinished":{"id":"kx-1","configId":"latency"}}"#
            ),
            draft(
                "canary.execution", "countersign", 809.4,
                #"{"id":"kx-1","application":"payments","state":"succeeded","status":{"id":"kx-1","complete":true}}"#
            ),
            draft(
                "commit_check.reported", "github", 810,
                #"{"repository":"acme/payments","commit":"c0ffee1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b","name":"unit","status":"passed","reportedBy":"ci-builder"}"#
            ),
        ]
    }
}
