/// `incident.opened`: an incident, linked to the deploys suspected of causing it (change failure rate).
public struct IncidentOpened: LedgerEvent, Hashable {
    public var id: String
    public var title: String?
    public var severity: String?
    public var deploys: [String]?

    public init(id: String, title: String?, severity: String?, deploys: [String]) {
        self.id = id
        self.title = title
        self.severity = severity
        self.deploys = deploys
    }

    public var type: EventType { .incidentOpened }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        let id = try nonEmpty(self.id, "id")
        return [
            SQLStatement(
                """
                INSERT INTO incidents (incident_id, seq, opened_at, opened_by, severity, title, deploy_ids)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [id, entry.seq, entry.at, entry.actor, severity.sql, title.sql, (deploys ?? []).sql])
        ]
            + (deploys ?? []).map { deploy in
                SQLStatement(
                    """
                    INSERT INTO incident_deploys (deploy_id, incident_id, opened_at) VALUES (?, ?, ?)
                    ON CONFLICT (deploy_id, incident_id) DO NOTHING
                    """, [.text(deploy), id, entry.at])
            }
    }
}

/// `incident.resolved`: the incident is over (time to restore).
public struct IncidentResolved: LedgerEvent, Hashable {
    public var id: String

    public init(id: String) { self.id = id }

    public var type: EventType { .incidentResolved }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        [
            SQLStatement(
                "UPDATE incidents SET resolved_at = ? WHERE incident_id = ?", [entry.at, try nonEmpty(id, "id")])
        ]
    }
}
