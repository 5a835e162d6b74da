public import CountersignCore

/// `check.reported`: a check's result for a digest, reported by a builder.
public struct CheckReported: LedgerEvent, Hashable {
    public var id: String?
    public var digest: String
    public var name: String
    public var status: CheckResult.Status
    /// Who ran it; the entry's actor when absent.
    public var reportedBy: String?
    public var details: String?

    public init(
        id: String? = nil, digest: String, name: String, status: CheckResult.Status, reportedBy: String?,
        details: String? = nil
    ) {
        self.id = id
        self.digest = digest
        self.name = name
        self.status = status
        self.reportedBy = reportedBy
        self.details = details
    }

    public var type: EventType { .checkReported }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        [
            SQLStatement(
                """
                INSERT INTO checks (seq, check_id, digest, name, status, reported_by, at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    entry.seq, id.sql, try sha256Digest(digest, "digest"), try nonEmpty(name, "name"),
                    .text(status.rawValue), reportedBy.map(SQLValue.text) ?? entry.actor, entry.at,
                ])
        ]
    }
}
