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
    ]

    /// Migrations after which every existing entry is projected again, because they add what older entries already
    /// hold — a table or column filled from their payloads. The stores replay once every migration is applied (today's
    /// statements need today's tables), and a crash before the replay leaves it pending for the next open.
    public static let replayingMigrations: Set<String> = ["v4-metrics"]

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
    public static func projects(_ type: EventType) -> Bool {
        type.rawValue != "team.changed" && type.rawValue != "approval.refused"
    }

    /// The statements that bring the tables up to date with `entry`.
    public static func statements(for entry: LedgerEntry) throws(LedgerError) -> [SQLStatement] {
        let p = PayloadReader(entry.type, entry.payload)
        let seq = SQLValue.integer(entry.seq)
        let at = SQLValue.text(RFC3339.string(entry.at, fraction: .milliseconds))
        let actor = SQLValue.text(entry.actor)
        switch entry.type.rawValue {
        case "deploy.requested":
            return [try deployRequested(p, seq, at)]
        case "approval.granted", "approval.rejected", "approval.withdrawn":
            let state = String(entry.type.rawValue.dropFirst("approval.".count))
            let bound = state != "withdrawn"
            return [
                SQLStatement(
                    """
                    INSERT INTO approvals (request_id, approver, seq, at, state, approval_id, digest, environment, team,
                        comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (request_id, approver) DO UPDATE SET seq = excluded.seq, at = excluded.at,
                        state = excluded.state, approval_id = COALESCE(excluded.approval_id, approvals.approval_id),
                        digest = COALESCE(excluded.digest, approvals.digest),
                        environment = COALESCE(excluded.environment, approvals.environment),
                        team = COALESCE(excluded.team, approvals.team), comment = excluded.comment
                    """,
                    [
                        .text(try p.string("request")), .text(try p.string("approver")), seq, at, .text(state),
                        text(try p.optionalString("id")), bound ? .text(try p.digest("digest")) : .null,
                        bound ? .text(try p.string("environment")) : .null, text(try p.optionalString("team")),
                        text(try p.optionalString("comment")),
                    ])
            ]
        case "gate.decided":
            let request = SQLValue.text(try p.string("request"))
            let verdict = SQLValue.text(try p.oneOf("verdict", ["allowed", "pending", "denied"]))
            let tier = text(try p.optionalString("tier"))
            return [
                SQLStatement(
                    """
                    INSERT INTO decisions (seq, request_id, decided_at, verdict, tier, policy, reasons, decided_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        seq, request, at, verdict, tier, text(try p.optionalString("policy")),
                        .text(list(try p.optionalStrings("reasons"))), actor,
                    ]),
                SQLStatement(
                    "UPDATE deploy_requests SET verdict = ?, tier = ?, decided_at = ? WHERE request_id = ?",
                    [verdict, tier, at, request]),
            ]
                + (try controlStatements(p, seq, request, at, verdict: verdict))
        case "check.reported":
            return [
                SQLStatement(
                    """
                    INSERT INTO checks (seq, check_id, digest, name, status, reported_by, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        seq, text(try p.optionalString("id")), .text(try p.digest("digest")),
                        .text(try p.string("name")), .text(try p.oneOf("status", ["passed", "failed", "pending"])),
                        .text(try p.optionalString("reportedBy") ?? entry.actor), at,
                    ])
            ]
        case "artifact.registered":
            let reference = try p.string("reference")
            let parsed: ArtifactReference
            do { parsed = try ArtifactReference(parsing: reference) } catch {
                throw p.fail("reference", "is not a digest-pinned reference: \(error.message)")
            }
            return [
                SQLStatement(
                    """
                    INSERT INTO artifacts (digest, reference, registered_seq, registered_at, registered_by)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (digest) DO UPDATE SET reference = excluded.reference,
                        registered_seq = excluded.registered_seq, registered_at = excluded.registered_at,
                        registered_by = excluded.registered_by
                    """, [.text(parsed.digest), .text(reference), seq, at, actor])
            ]
        case "artifact.verified":
            return [
                SQLStatement(
                    """
                    INSERT INTO artifacts (digest, verified, verification_policy, verified_at, verification_details)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (digest) DO UPDATE SET verified = excluded.verified,
                        verification_policy = excluded.verification_policy, verified_at = excluded.verified_at,
                        verification_details = excluded.verification_details
                    """,
                    [
                        .text(try p.digest("digest")), .integer(try p.bool("verified") ? 1 : 0),
                        .text(try p.string("policy")), at, text(try p.optionalString("details")),
                    ])
            ]
        case "deploy.started":
            // The request's tier, commit time and human approvals as they stood when the deploy started, copied
            // so the metrics read one table.
            let request = SQLValue.text(try p.string("request"))
            return [
                SQLStatement(
                    """
                    INSERT INTO deploys (deploy_id, request_id, environment, service, digest, status, started_seq,
                        started_at, started_by, tier, committed_at, human_approvals)
                    VALUES (?, ?, ?, ?, ?, 'started', ?, ?, ?,
                        (SELECT tier FROM deploy_requests WHERE request_id = ?),
                        (SELECT committed_at FROM deploy_requests WHERE request_id = ?),
                        (SELECT COUNT(*) FROM approvals WHERE request_id = ? AND state = 'granted'))
                    """,
                    [
                        .text(try p.string("id")), request, .text(try p.string("environment")),
                        .text(try p.string("service")), .text(try p.digest("digest")), seq, at, actor, request, request,
                        request,
                    ])
            ]
        case "deploy.succeeded", "deploy.failed", "deploy.rolled_back":
            let status = String(entry.type.rawValue.dropFirst("deploy.".count))
            return [
                SQLStatement(
                    "UPDATE deploys SET status = ?, finished_seq = ?, finished_at = ? WHERE deploy_id = ?",
                    [.text(status), seq, at, .text(try p.string("id"))])
            ]
        case "breakglass.invoked":
            return [
                SQLStatement(
                    """
                    INSERT INTO breakglass_grants (grant_id, seq, freeze_name, invoked_by, environment, service, reason,
                        incident_id, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(try p.string("id")), seq, .text(try p.string("freeze")),
                        .text(try p.optionalString("invokedBy") ?? entry.actor), .text(try p.string("environment")),
                        text(try p.optionalString("service")), .text(try p.string("reason")),
                        .text(try p.string("incident")), at, .text(try p.time("expiresAt")),
                    ])
            ]
        case "breakglass.reviewed":
            return [
                SQLStatement(
                    """
                    UPDATE breakglass_grants SET reviewed_at = ?, reviewed_by = ?, review_outcome = ?, review_notes = ?
                    WHERE grant_id = ?
                    """,
                    [
                        at, actor, .text(try p.oneOf("outcome", ["justified", "unjustified"])),
                        text(try p.optionalString("notes")), .text(try p.string("id")),
                    ])
            ]
        case "incident.opened":
            return [
                SQLStatement(
                    """
                    INSERT INTO incidents (incident_id, seq, opened_at, opened_by, severity, title, deploy_ids)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(try p.string("id")), seq, at, actor, text(try p.optionalString("severity")),
                        text(try p.optionalString("title")), .text(list(try p.optionalStrings("deploys"))),
                    ])
            ]
        case "incident.resolved":
            return [
                SQLStatement(
                    "UPDATE incidents SET resolved_at = ? WHERE incident_id = ?", [at, .text(try p.string("id"))])
            ]
        case "identity.changed":
            return try identityChanged(p, seq, at, actor)
        case "policy.proposed", "policy.published":
            var statements = [
                SQLStatement(
                    "INSERT INTO policies (seq, hash, state, proposed_by, approved_by, at) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        seq, .text(try p.string("hash")),
                        .text(entry.type.rawValue == "policy.proposed" ? "proposed" : "published"),
                        text(try p.optionalString("proposedBy")), text(try p.optionalString("approvedBy")), at,
                    ])
            ]
            // A ledger is bootstrapped once: the key refuses a second node's bootstrap in its own transaction.
            if entry.type.rawValue == "policy.published", p.value["bootstrap"] == .bool(true) {
                statements.append(
                    SQLStatement(
                        "INSERT INTO policy_bootstrap (one, seq, hash) VALUES (1, ?, ?)",
                        [seq, .text(try p.string("hash"))]))
            }
            return statements
        case "canary.judged":
            // Judgements without a digest (an ad-hoc Kayenta execution) are recorded but gate nothing.
            guard let digest = try p.optionalString("digest") else { return [] }
            guard ArtifactReference.isDigest(digest) else { throw p.fail("digest", "is not a sha256 digest") }
            return [
                SQLStatement(
                    """
                    INSERT INTO canary_verdicts (seq, verdict_id, digest, template, outcome, score, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        seq, .text(try p.string("id")), .text(digest), .text(try p.string("template")),
                        .text(try p.oneOf("outcome", ["pass", "fail", "inconclusive"])),
                        try p.optionalNumber("score").map(SQLValue.real) ?? .null, at,
                    ])
            ]
        case "change.recorded":
            let change = try p.object("change")
            return [
                SQLStatement(
                    """
                    INSERT INTO changes (commit_sha, seq, repository, pull_request, change, delivery_id)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (commit_sha) DO UPDATE SET seq = excluded.seq, repository = excluded.repository,
                        pull_request = excluded.pull_request, change = excluded.change,
                        delivery_id = excluded.delivery_id
                    """,
                    [
                        .text(try change.string("commit")), seq, text(try p.optionalString("repository")),
                        try change.optionalObject("pullRequest").flatMap { pr throws(LedgerError) in
                            try pr.optionalInteger("number")
                        }.map(SQLValue.integer) ?? .null,
                        .text(change.value.canonicalString), text(try p.optionalString("delivery")),
                    ])
            ]
        case "webhook.received":
            return [
                SQLStatement(
                    """
                    INSERT INTO webhook_deliveries (delivery_id, seq, event, action, received_at, outcome, body_sha256)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(try p.string("delivery")), seq, .text(try p.string("event")),
                        text(try p.optionalString("action")), at, text(try p.optionalString("outcome")),
                        text(try p.optionalString("body_sha256")),
                    ])
            ]
        case "idempotency.claimed":
            return [
                SQLStatement(
                    "INSERT INTO idempotency_keys (scope, fingerprint, operation, claimed_seq) VALUES (?, ?, ?, ?)",
                    [
                        .text(try p.string("scope")), .text(try p.string("fingerprint")),
                        .text(try p.string("operation")), seq,
                    ])
            ]
        case "idempotency.answered":
            guard let status = p.value["status"]?.integerValue, (100...599).contains(status) else {
                throw p.fail("status", "must be an HTTP status")
            }
            return [
                SQLStatement(
                    """
                    UPDATE idempotency_keys SET status = ?, body = ?, answered_seq = ?
                    WHERE scope = ? AND status IS NULL
                    """, [.integer(Int64(status)), .text(try p.string("body")), seq, .text(try p.string("scope"))])
            ]
        case "notification.queued":
            return [
                SQLStatement(
                    """
                    INSERT INTO outbox (notification_id, queued_seq, queued_at, kind, target, body, request_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(try p.string("id")), seq, at, .text(try p.oneOf("kind", ["webhook", "github-callback"])),
                        .text(try p.string("target")), .text(try p.string("body")),
                        text(try p.optionalString("request")),
                    ])
            ]
        case "notification.attempted":
            let outcome = try p.oneOf("outcome", ["delivered", "failed", "abandoned"])
            return [
                SQLStatement(
                    """
                    UPDATE outbox SET attempts = attempts + 1, last_error = ?,
                        delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END,
                        abandoned_at = CASE WHEN ? = 'abandoned' THEN ? ELSE abandoned_at END
                    WHERE notification_id = ?
                    """,
                    [
                        text(try p.optionalString("error")), .text(outcome), at, .text(outcome), at,
                        .text(try p.string("id")),
                    ])
            ]
        default:
            // team.changed, approval.refused: recorded, not projected (`projects(_:)` skips them before this).
            return []
        }
    }

    /// A decision's control results: one `decision_controls` row each, the request's `request_controls` summary,
    /// and its ready and first-allowed-after-ready times.
    private static func controlStatements(
        _ p: PayloadReader, _ seq: SQLValue, _ request: SQLValue, _ at: SQLValue, verdict: SQLValue
    ) throws(LedgerError) -> [SQLStatement] {
        var statements: [SQLStatement] = []
        var statuses: [(String, String)] = []
        for control in try p.optionalObjects("controls") ?? [] {
            let name = try control.string("control")
            let status = try control.oneOf("status", ["satisfied", "pending", "denied", "error"])
            statuses.append((name, status))
            statements.append(
                SQLStatement(
                    "INSERT INTO decision_controls (seq, request_id, decided_at, control, status) VALUES (?, ?, ?, ?, ?)",
                    [seq, request, at, .text(name), .text(status)]))
        }
        for name in Set(statuses.map(\.0)).sorted() {
            let mine = statuses.filter { $0.0 == name }.map(\.1)
            let blocked: Int64 = mine.contains { $0 == "denied" || $0 == "error" } ? 1 : 0
            let held: Int64 = mine.contains("pending") ? 1 : 0
            statements.append(
                SQLStatement(
                    """
                    INSERT INTO request_controls (request_id, control, requested_at, service, environment, blocked, held)
                    SELECT r.request_id, ?, r.requested_at, r.service, r.environment, ?, ? FROM deploy_requests r
                    WHERE r.request_id = ?
                    ON CONFLICT (request_id, control) DO UPDATE SET
                        blocked = request_controls.blocked | excluded.blocked, held = request_controls.held | excluded.held
                    """, [.text(name), .integer(blocked), .integer(held), request]))
        }
        let ready =
            statuses.contains { $0 == ("approvals", "pending") }
            && statuses.allSatisfy { $0.0 == "approvals" || $0.1 == "satisfied" }
        if ready {
            statements.append(
                SQLStatement(
                    "UPDATE deploy_requests SET ready_at = ? WHERE request_id = ? AND ready_at IS NULL", [at, request]))
        }
        if verdict == .text("allowed") {
            statements.append(
                SQLStatement(
                    """
                    UPDATE deploy_requests SET allowed_at = ?
                    WHERE request_id = ? AND ready_at IS NOT NULL AND allowed_at IS NULL
                    """, [at, request]))
        }
        return statements
    }

    private static func deployRequested(_ p: PayloadReader, _ seq: SQLValue, _ at: SQLValue) throws(LedgerError)
        -> SQLStatement
    {
        let artifact = try p.string("artifact")
        let reference: ArtifactReference
        do { reference = try ArtifactReference(parsing: artifact) } catch {
            throw p.fail("artifact", "is not a digest-pinned reference: \(error.message)")
        }
        let change = try p.object("change")
        let pr = try change.optionalObject("pullRequest")
        return SQLStatement(
            """
            INSERT INTO deploy_requests (request_id, seq, requested_at, requester, deployer, service, environment,
                artifact, digest, commit_sha, source_ref, change_kind, pull_request, author, committers, ticket,
                committed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(try p.string("id")), seq, at, .text(try p.string("requester")), .text(try p.string("deployer")),
                .text(try p.string("service")), .text(try p.string("environment")), .text(artifact),
                .text(reference.digest), .text(try change.string("commit")), .text(try change.string("ref")),
                .text(try change.string("kind")),
                try pr.map { p throws(LedgerError) in try p.optionalInteger("number") }
                    .flatMap { $0 }.map(SQLValue.integer) ?? .null,
                text(try pr?.optionalString("author")), .text(list(try pr?.optionalStrings("committers"))),
                text(try change.optionalString("ticket")),
                try change.optionalString("committedAt") == nil ? .null : .text(try change.time("committedAt")),
            ])
    }

    /// Token lifecycle changes project into `api_tokens`, web sessions into `web_sessions`; other identity changes
    /// are recorded only.
    private static func identityChanged(
        _ p: PayloadReader, _ seq: SQLValue, _ at: SQLValue, _ actor: SQLValue
    ) throws(LedgerError) -> [SQLStatement] {
        switch try p.optionalString("change") {
        case "token.created":
            let hash = try p.string("tokenHash")
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw p.fail("tokenHash", "is not a hex SHA-256")
            }
            return [
                SQLStatement(
                    """
                    INSERT INTO api_tokens (token_id, token_hash, identity, role, created_seq, created_at, created_by,
                        expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(try p.string("token")), .text(hash), .text(try p.string("identity")),
                        .text(try p.oneOf("role", ["builder", "deployer", "approver", "auditor", "admin"])), seq, at,
                        actor, try p.optionalString("expiresAt").map(SQLValue.text) ?? .null,
                    ])
            ]
        case "token.revoked":
            return [
                SQLStatement(
                    "UPDATE api_tokens SET revoked_at = ? WHERE token_id = ?", [at, .text(try p.string("token"))])
            ]
        case "session.started":
            let hash = try p.string("sessionHash")
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw p.fail("sessionHash", "is not a hex SHA-256")
            }
            return [
                SQLStatement(
                    """
                    INSERT INTO web_sessions (session_id, session_hash, token_id, identity, role, created_seq,
                        created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(try p.string("session")), .text(hash), .text(try p.string("token")),
                        .text(try p.string("identity")),
                        .text(try p.oneOf("role", ["builder", "deployer", "approver", "auditor", "admin"])), seq, at,
                        .text(try p.time("expiresAt")),
                    ])
            ]
        case "session.ended":
            return [
                SQLStatement(
                    "UPDATE web_sessions SET ended_at = ? WHERE session_id = ? AND ended_at IS NULL",
                    [at, .text(try p.string("session"))])
            ]
        default:
            return []
        }
    }

    private static func text(_ s: String?) -> SQLValue { s.map(SQLValue.text) ?? .null }

    private static func list(_ items: [String]?) -> String {
        JSONValue.array((items ?? []).map(JSONValue.string)).canonicalString
    }
}
