internal import CountersignCore
internal import CountersignEncoding
public import Foundation

/// The current state the ledger's entries imply — deploy requests, approvals, decisions, deploys, break-glass
/// grants, incidents, artifacts and checks — as SQL tables. Each append writes its entries' rows in the same
/// transaction, and `replay` rebuilds every table from the entries alone, so the tables are a cache of the log,
/// never a second source of truth.
///
/// Projecting an entry also validates its payload: an entry whose payload lacks what its event type needs is
/// rejected before anything is written.
public enum Projection {
    /// The projection tables, in the order `replay` clears them.
    public static let tables = [
        "deploy_requests", "approvals", "decisions", "deploys", "breakglass_grants", "incidents", "artifacts",
        "checks", "api_tokens", "web_sessions", "canary_verdicts", "changes", "webhook_deliveries", "outbox",
        "policies", "decision_controls", "request_controls", "policy_bootstrap", "idempotency_keys",
        "retired_identities", "artifact_sources", "commit_checks", "commit_times", "kayenta_executions",
        "kayenta_finishes", "artifact_verifications", "request_rules", "incident_deploys",
    ]

    /// The projection migrations, in order; released ones are never edited (each store records which it applied).
    public static let migrations: [(name: String, statements: [String])] = [
        ("v2-projections", schema),
        ("v3-server", server),
        ("v4-metrics", metrics),
        ("v5-sessions", sessions),
        ("v6-hardening", hardening),
        ("v7-probe", probe),
        ("v8-idempotency", idempotency),
        ("v9-identities", identities),
        ("v10-change-facts", changeFacts),
        ("v11-canary-environment", canaryEnvironment),
        ("v12-sign-in-groups", signInGroups),
        ("v13-builds-by-commit", buildsByCommit),
        ("v14-github-evidence", githubEvidence),
        ("v15-kayenta-executions", kayentaExecutions),
        ("v16-artifact-verifications", artifactVerifications),
        ("v17-gate-rules", gateRules),
        ("v18-commit-times", commitTimes),
        ("v19-incident-deploys", incidentDeploys),
    ]

    /// Migrations after which every existing entry is projected again, because they add what older entries already
    /// hold — a table or column filled from their payloads. The stores replay once every migration is applied (today's
    /// statements need today's tables), and a crash before the replay leaves it pending for the next open.
    public static let replayingMigrations: Set<String> = [
        "v4-metrics", "v9-identities", "v10-change-facts", "v13-builds-by-commit",
        "v16-artifact-verifications", "v17-gate-rules", "v18-commit-times", "v19-incident-deploys",
    ]

    /// Indexes for every lookup on the request path, so admission, re-decision and lists cost the same at any
    /// history length (tests check each query's plan): admission and re-decision by digest and environment,
    /// lists by environment or verdict in sequence order, GitHub deploys by commit, open break-glass grants by
    /// environment, canary verdicts, checks and approvals in sequence order. And each webhook delivery's body digest, unique: a
    /// captured delivery replayed under a new delivery id is recognised by its bytes. And the one bootstrap of the
    /// policy: two nodes started at once on an empty ledger cannot both publish their file.
    static let hardening: [String] = [
        "CREATE INDEX deploy_requests_by_digest ON deploy_requests (digest, environment, verdict)",
        "CREATE INDEX deploy_requests_by_seq ON deploy_requests (seq)",
        "CREATE INDEX deploy_requests_by_environment ON deploy_requests (environment, seq)",
        "CREATE INDEX deploy_requests_by_verdict ON deploy_requests (verdict, seq)",
        "CREATE INDEX deploy_requests_by_commit ON deploy_requests (commit_sha, environment, seq)",
        "CREATE INDEX breakglass_grants_by_environment ON breakglass_grants (environment, seq)",
        "CREATE INDEX canary_verdicts_by_template ON canary_verdicts (digest, template, seq)",
        "CREATE INDEX canary_verdicts_by_digest_seq ON canary_verdicts (digest, seq)",
        "CREATE INDEX checks_by_digest_seq ON checks (digest, seq)",
        "CREATE INDEX approvals_by_request_seq ON approvals (request_id, seq)",
        "ALTER TABLE webhook_deliveries ADD COLUMN body_sha256 TEXT",
        "CREATE UNIQUE INDEX webhook_deliveries_by_body ON webhook_deliveries (body_sha256)",
        "CREATE TABLE policy_bootstrap (one BIGINT PRIMARY KEY NOT NULL CHECK (one = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL)",
    ]

    /// One row that `LedgerStore.probeWrite` overwrites to learn whether the store takes writes again after an
    /// append failed for its sake (a full disk, a read-only file or database): readiness must not wait for a real
    /// append, which a node taken out of service would never get. Not a projection: replay leaves it alone.
    static let probe: [String] = [
        "CREATE TABLE store_probe (one BIGINT PRIMARY KEY NOT NULL CHECK (one = 1), at TEXT NOT NULL)"
    ]

    /// The `Idempotency-Key`s the API has seen: the scope (a hash of the caller, the route and the key), the hash of
    /// the body it came with, the entry that claimed it — appended in the same transaction as the operation, so the
    /// primary key refuses a second operation under one key, even from another node — and the answer once given.
    static let idempotency: [String] = [
        """
        CREATE TABLE idempotency_keys (
            scope TEXT PRIMARY KEY NOT NULL, fingerprint TEXT NOT NULL, operation TEXT NOT NULL,
            claimed_seq BIGINT NOT NULL, status BIGINT, body TEXT, answered_seq BIGINT)
        """
    ]

    /// The identity names a published policy removed. A name is an identity's id: once retired it is never given to
    /// anyone again — as a name or an alias — so nothing recorded under it (tokens, reviews, grants) can come to
    /// stand for someone else.
    /// And each request's pull-request reviewers, which deploy records carry; and deploys by request, so the requests
    /// a publication decides again (``ReadModel/liveRequests(limit:)``: not allowed, or allowed and not deployed) are
    /// found without reading every deploy for every request. And, on a token a sign-in through the
    /// identity provider made, the person's subject there (a session on such
    /// a token may mint tokens; one started with a token may not). And who judged each canary verdict (the entry's actor: `countersign` for its own analysis), which the gate's
    /// canary control weighs — filled for earlier verdicts by the replay this migration asks for.
    static let identities: [String] = [
        "CREATE TABLE retired_identities (name TEXT PRIMARY KEY NOT NULL, seq BIGINT NOT NULL)",
        "ALTER TABLE canary_verdicts ADD COLUMN judged_by TEXT",
        "ALTER TABLE api_tokens ADD COLUMN subject TEXT",
        "ALTER TABLE deploy_requests ADD COLUMN reviewers TEXT",
        "CREATE INDEX deploys_by_request ON deploys (request_id)",
    ]

    /// What the gate needs to decide on GitHub's record of a change rather than the request's word: on each recorded
    /// change, when and from where it was read and what that source could not establish (filled for earlier records
    /// by the replay); and every record binding a digest to the commit it was built from — verified provenance or a
    /// builder's registration — by digest.
    static let changeFacts: [String] = [
        "ALTER TABLE changes ADD COLUMN recorded_at TEXT",
        "ALTER TABLE changes ADD COLUMN source TEXT",
        "ALTER TABLE changes ADD COLUMN unknown TEXT",
        "ALTER TABLE changes ADD COLUMN unresolved TEXT",
        """
        CREATE TABLE artifact_sources (
            seq BIGINT PRIMARY KEY NOT NULL, digest TEXT NOT NULL, commit_sha TEXT NOT NULL, repository TEXT,
            via TEXT NOT NULL, bound_by TEXT NOT NULL, at TEXT NOT NULL)
        """,
        "CREATE INDEX artifact_sources_by_digest ON artifact_sources (digest, seq)",
    ]

    /// The environment whose canary a verdict judged, which it passes for alone. Verdicts recorded before it was
    /// named stay without one: nothing to replay.
    static let canaryEnvironment: [String] = [
        "ALTER TABLE canary_verdicts ADD COLUMN environment TEXT"
    ]

    /// The groups the identity provider verified at a sign-in, on the token backing its session, and on each review
    /// given in it. Entries from before held none: nothing to replay.
    static let signInGroups: [String] = [
        "ALTER TABLE api_tokens ADD COLUMN groups TEXT",
        "ALTER TABLE approvals ADD COLUMN groups TEXT",
    ]

    /// The builds of a commit, which a GitHub protection rule looks up when the deployment names no artifact: each
    /// binding's reference (registered or verified), by commit. Registrations already hold their reference: replayed.
    static let buildsByCommit: [String] = [
        "ALTER TABLE artifact_sources ADD COLUMN reference TEXT",
        "CREATE INDEX artifact_sources_by_commit ON artifact_sources (commit_sha, seq)",
    ]

    /// The checks GitHub records against commits, by commit: what a build of the commit registered later is given;
    /// and when each pushed commit was made, by commit and repository (the first time recorded). New events:
    /// nothing to replay.
    static let githubEvidence: [String] = [
        """
        CREATE TABLE commit_checks (
            seq BIGINT PRIMARY KEY NOT NULL, repository TEXT NOT NULL, commit_sha TEXT NOT NULL, name TEXT NOT NULL,
            status TEXT NOT NULL, reported_by TEXT NOT NULL, details TEXT, at TEXT NOT NULL)
        """,
        "CREATE INDEX commit_checks_by_commit ON commit_checks (commit_sha, seq)",
        """
        CREATE TABLE commit_times (
            commit_sha TEXT NOT NULL, repository TEXT NOT NULL, committed_at TEXT NOT NULL, seq BIGINT NOT NULL,
            PRIMARY KEY (commit_sha, repository))
        """,
    ]

    /// Kayenta executions, so any node answers Argo's poll: each with its status as served, and while running what
    /// another node needs to judge it; and one row per finish, whose key refuses a second. A new event: nothing to
    /// replay.
    static let kayentaExecutions: [String] = [
        """
        CREATE TABLE kayenta_executions (
            execution_id TEXT PRIMARY KEY NOT NULL, application TEXT NOT NULL, state TEXT NOT NULL,
            status TEXT NOT NULL, unfinished TEXT, started_seq BIGINT NOT NULL, started_at TEXT NOT NULL,
            finished_seq BIGINT)
        """,
        "CREATE INDEX kayenta_executions_by_start ON kayenta_executions (started_seq)",
        "CREATE TABLE kayenta_finishes (execution_id TEXT PRIMARY KEY NOT NULL, seq BIGINT NOT NULL)",
    ]

    /// Every verification of a digest, each with the policy definition (`ArtifactPolicy.hash`) and the repository
    /// it was made under — the evidence the gate weighs, where `artifacts` keeps only the latest of any policy.
    /// Earlier verifications hold their reference: replayed.
    static let artifactVerifications: [String] = [
        """
        CREATE TABLE artifact_verifications (
            seq BIGINT PRIMARY KEY NOT NULL, digest TEXT NOT NULL, policy TEXT NOT NULL, policy_hash TEXT,
            repository TEXT, verified BIGINT NOT NULL, details TEXT, at TEXT NOT NULL)
        """,
        "CREATE INDEX artifact_verifications_by_digest ON artifact_verifications (digest, seq)",
    ]

    /// What the gate metrics read per rule, not only per kind of control (``ControlResult/rule``): each decision's
    /// control rows name their rule (which rules never block, by an index on the rule), and a per-request summary
    /// by rule (`request_rules`: a rule's block and hold rate, filtered by tier and environment, without scanning
    /// every decision). A control that names no rule — one rule of its environment, or a decision recorded before
    /// rules were named — has the rule `''`. Both summaries keep the tier the request was last decided under, the
    /// metrics' tier filter. Replayed: recorded decisions that name rules fill both.
    static let gateRules: [String] = [
        "ALTER TABLE decision_controls ADD COLUMN rule TEXT",
        "ALTER TABLE request_controls ADD COLUMN tier TEXT",
        """
        CREATE TABLE request_rules (
            request_id TEXT NOT NULL, control TEXT NOT NULL, rule TEXT NOT NULL, tier TEXT, requested_at TEXT NOT NULL,
            service TEXT NOT NULL, environment TEXT NOT NULL, blocked BIGINT NOT NULL, held BIGINT NOT NULL,
            PRIMARY KEY (request_id, control, rule))
        """,
        "CREATE INDEX request_rules_by_time ON request_rules (requested_at)",
        "CREATE INDEX decision_controls_by_rule ON decision_controls (control, rule, seq)",
        "CREATE INDEX decision_controls_rule_blocks ON decision_controls (control, rule, status, decided_at)",
    ]

    /// Lead time on every path (issue 21): a request's commit time is GitHub's word where GitHub has said it — the
    /// first `push` delivery of the commit (`push`), else GitHub's record of the change (`github`, kept on
    /// `changes.committed_at`) — and the requester's own only where GitHub has said nothing (`request`): a deploy
    /// bot's word would let the party measured set its own lead time. A later push or record overrides a weaker
    /// source on the request and on its deploys. Replayed: recorded pushes and records fill earlier requests.
    static let commitTimes: [String] = [
        "ALTER TABLE deploy_requests ADD COLUMN commit_time_source TEXT",
        "ALTER TABLE changes ADD COLUMN committed_at TEXT",
        "CREATE INDEX commit_times_by_commit ON commit_times (commit_sha, committed_at)",
    ]

    /// Which deploys each incident names, one row per link (`incidents.deploy_ids` keeps the list as recorded): what
    /// a metric joins to ask "did an incident name this deploy" without reading every incident's list. Replayed.
    static let incidentDeploys: [String] = [
        """
        CREATE TABLE incident_deploys (
            deploy_id TEXT NOT NULL, incident_id TEXT NOT NULL, opened_at TEXT NOT NULL,
            PRIMARY KEY (deploy_id, incident_id))
        """
    ]

    /// The statement that overwrites the probe row with the time `now`.
    public static func probe(at now: Date) -> SQLStatement {
        SQLStatement(
            "INSERT INTO store_probe (one, at) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET at = excluded.at",
            [.text(RFC3339.string(now, fraction: .milliseconds))])
    }

    /// What the gate metrics read: each decision's control results (`decision_controls`: which controls never
    /// block), a per-request summary of them (`request_controls`: block and hold rate without scanning every
    /// decision), and on each request its commit time (lead time), when it became ready — every control satisfied
    /// but approvals — and when it was first allowed after that (approval wait); on each deploy the request's tier,
    /// commit time and human approvals when it started.
    static let metrics: [String] = [
        "ALTER TABLE deploy_requests ADD COLUMN committed_at TEXT",
        "ALTER TABLE deploy_requests ADD COLUMN ready_at TEXT",
        "ALTER TABLE deploy_requests ADD COLUMN allowed_at TEXT",
        """
        CREATE TABLE decision_controls (
            seq BIGINT NOT NULL, request_id TEXT NOT NULL, decided_at TEXT NOT NULL, control TEXT NOT NULL,
            status TEXT NOT NULL)
        """,
        """
        CREATE TABLE request_controls (
            request_id TEXT NOT NULL, control TEXT NOT NULL, requested_at TEXT NOT NULL, service TEXT NOT NULL,
            environment TEXT NOT NULL, blocked BIGINT NOT NULL, held BIGINT NOT NULL,
            PRIMARY KEY (request_id, control))
        """,
        "CREATE INDEX decision_controls_by_control ON decision_controls (control, seq)",
        "CREATE INDEX decision_controls_blocks ON decision_controls (control, status, decided_at)",
        "CREATE INDEX request_controls_by_time ON request_controls (requested_at)",
        "CREATE INDEX deploy_requests_by_time ON deploy_requests (requested_at)",
        "ALTER TABLE deploys ADD COLUMN tier TEXT",
        "ALTER TABLE deploys ADD COLUMN committed_at TEXT",
        "ALTER TABLE deploys ADD COLUMN human_approvals BIGINT",
        "CREATE INDEX deploys_by_time ON deploys (started_at)",
        "CREATE INDEX deploy_requests_by_service ON deploy_requests (service)",
    ]

    /// Web UI sessions: a browser holds a random session secret, never the API token it signed in with; only the
    /// secret's hash is kept, with the token the session stands on (revoking the token ends its sessions), the
    /// identity and role, when it expires and when it was ended by signing out.
    static let sessions: [String] = [
        """
        CREATE TABLE web_sessions (
            session_id TEXT PRIMARY KEY NOT NULL, session_hash TEXT NOT NULL UNIQUE, token_id TEXT NOT NULL,
            identity TEXT NOT NULL, role TEXT NOT NULL, created_seq BIGINT NOT NULL, created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL, ended_at TEXT)
        """
    ]

    /// What the server keeps: API tokens (hashes only: the secret is shown once and never stored), canary
    /// verdicts the gate reads, the change evidence GitHub webhooks deliver (keyed by commit), the deliveries
    /// already processed (the primary key makes a replayed delivery fail its append), and the outbox of
    /// notifications and callbacks still to deliver.
    static let server: [String] = [
        """
        CREATE TABLE api_tokens (
            token_id TEXT PRIMARY KEY NOT NULL, token_hash TEXT NOT NULL UNIQUE, identity TEXT NOT NULL,
            role TEXT NOT NULL, created_seq BIGINT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
            expires_at TEXT, revoked_at TEXT)
        """,
        """
        CREATE TABLE canary_verdicts (
            seq BIGINT PRIMARY KEY NOT NULL, verdict_id TEXT NOT NULL, digest TEXT NOT NULL, template TEXT NOT NULL,
            outcome TEXT NOT NULL, score DOUBLE PRECISION, at TEXT NOT NULL)
        """,
        """
        CREATE TABLE changes (
            commit_sha TEXT PRIMARY KEY NOT NULL, seq BIGINT NOT NULL, repository TEXT, pull_request BIGINT,
            change TEXT NOT NULL, delivery_id TEXT)
        """,
        """
        CREATE TABLE webhook_deliveries (
            delivery_id TEXT PRIMARY KEY NOT NULL, seq BIGINT NOT NULL, event TEXT NOT NULL, action TEXT,
            received_at TEXT NOT NULL, outcome TEXT)
        """,
        """
        CREATE TABLE outbox (
            notification_id TEXT PRIMARY KEY NOT NULL, queued_seq BIGINT NOT NULL, queued_at TEXT NOT NULL,
            kind TEXT NOT NULL, target TEXT NOT NULL, body TEXT NOT NULL, request_id TEXT,
            delivered_at TEXT, attempts BIGINT NOT NULL DEFAULT 0, last_error TEXT, abandoned_at TEXT)
        """,
        """
        CREATE TABLE policies (
            seq BIGINT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, state TEXT NOT NULL, proposed_by TEXT,
            approved_by TEXT, at TEXT NOT NULL)
        """,
        "CREATE INDEX policies_by_state ON policies (state, seq)",
        "CREATE INDEX canary_verdicts_by_digest ON canary_verdicts (digest)",
        "CREATE INDEX changes_by_pull_request ON changes (repository, pull_request)",
        "CREATE INDEX outbox_pending ON outbox (delivered_at, abandoned_at)",
    ]

    /// Portable DDL (SQLite and PostgreSQL). Times are `RFC3339.string(_:fraction: .milliseconds)` text, which sorts correctly;
    /// lists are canonical JSON arrays; `seq` columns point at the entry that last wrote the row.
    public static let schema: [String] = [
        """
        CREATE TABLE deploy_requests (
            request_id TEXT PRIMARY KEY NOT NULL, seq BIGINT NOT NULL, requested_at TEXT NOT NULL,
            requester TEXT NOT NULL, deployer TEXT NOT NULL, service TEXT NOT NULL, environment TEXT NOT NULL,
            artifact TEXT NOT NULL, digest TEXT NOT NULL, commit_sha TEXT NOT NULL, source_ref TEXT NOT NULL,
            change_kind TEXT NOT NULL, pull_request BIGINT, author TEXT, committers TEXT NOT NULL, ticket TEXT,
            verdict TEXT, tier TEXT, decided_at TEXT)
        """,
        """
        CREATE TABLE approvals (
            request_id TEXT NOT NULL, approver TEXT NOT NULL, seq BIGINT NOT NULL, at TEXT NOT NULL,
            state TEXT NOT NULL, approval_id TEXT, digest TEXT, environment TEXT, team TEXT, comment TEXT,
            PRIMARY KEY (request_id, approver))
        """,
        """
        CREATE TABLE decisions (
            seq BIGINT PRIMARY KEY NOT NULL, request_id TEXT NOT NULL, decided_at TEXT NOT NULL, verdict TEXT NOT NULL,
            tier TEXT, policy TEXT, reasons TEXT NOT NULL, decided_by TEXT NOT NULL)
        """,
        """
        CREATE TABLE deploys (
            deploy_id TEXT PRIMARY KEY NOT NULL, request_id TEXT NOT NULL, environment TEXT NOT NULL,
            service TEXT NOT NULL, digest TEXT NOT NULL, status TEXT NOT NULL, started_seq BIGINT NOT NULL,
            started_at TEXT NOT NULL, started_by TEXT NOT NULL, finished_seq BIGINT, finished_at TEXT)
        """,
        """
        CREATE TABLE breakglass_grants (
            grant_id TEXT PRIMARY KEY NOT NULL, seq BIGINT NOT NULL, freeze_name TEXT NOT NULL, invoked_by TEXT NOT NULL,
            environment TEXT NOT NULL, service TEXT, reason TEXT NOT NULL, incident_id TEXT NOT NULL,
            granted_at TEXT NOT NULL, expires_at TEXT NOT NULL, reviewed_at TEXT, reviewed_by TEXT,
            review_outcome TEXT, review_notes TEXT)
        """,
        """
        CREATE TABLE incidents (
            incident_id TEXT PRIMARY KEY NOT NULL, seq BIGINT NOT NULL, opened_at TEXT NOT NULL,
            opened_by TEXT NOT NULL, severity TEXT, title TEXT, deploy_ids TEXT NOT NULL, resolved_at TEXT)
        """,
        """
        CREATE TABLE artifacts (
            digest TEXT PRIMARY KEY NOT NULL, reference TEXT, registered_seq BIGINT, registered_at TEXT,
            registered_by TEXT, verified BIGINT, verification_policy TEXT, verified_at TEXT, verification_details TEXT)
        """,
        """
        CREATE TABLE checks (
            seq BIGINT PRIMARY KEY NOT NULL, check_id TEXT, digest TEXT NOT NULL, name TEXT NOT NULL,
            status TEXT NOT NULL, reported_by TEXT NOT NULL, at TEXT NOT NULL)
        """,
        "CREATE INDEX approvals_by_request ON approvals (request_id)",
        "CREATE INDEX decisions_by_request ON decisions (request_id, seq)",
        "CREATE INDEX deploys_by_environment ON deploys (environment, started_at)",
        "CREATE INDEX checks_by_digest ON checks (digest)",
    ]

    /// Checks a draft's payload without writing anything.
    public static func validate(_ draft: EntryDraft) throws(LedgerError) {
        _ = try statements(for: LedgerEntry(seq: 0, draft: draft))
    }

    /// Whether entries of `type` can write projection rows; the others (recorded, not projected) skip building
    /// their statements altogether.
    public static func projects(_ type: EventType) -> Bool { type.projects }

    /// The statements that bring the tables up to date with `entry`: its event's, read from its payload unless the
    /// entry was appended from a typed event.
    public static func statements(for entry: LedgerEntry) throws(LedgerError) -> [SQLStatement] {
        try entry.event().statements(ProjectionContext(entry))
    }
}
