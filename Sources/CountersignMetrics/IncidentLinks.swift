internal import CountersignEncoding
internal import CountersignLedger
internal import Foundation

/// Which deploys incidents name (`incident_deploys`), each with the earliest incident that names it.
struct IncidentLinks {
    struct Incident {
        var opened: Date
        var resolved: Date?
    }

    var first: [String: Incident] = [:]

    static func read(_ store: any LedgerStore, before: Date) async throws(LedgerError) -> IncidentLinks {
        let result = try await store.lookup(
            """
            SELECT l.deploy_id, i.opened_at, i.resolved_at FROM incident_deploys l
            JOIN incidents i ON i.incident_id = l.incident_id WHERE i.opened_at < ? ORDER BY i.opened_at, i.seq
            """, [.text(RFC3339.string(before, fraction: .milliseconds))])
        var links = IncidentLinks()
        for row in result.rows {
            guard let id = row[0].textValue, links.first[id] == nil,
                let opened = row[1].textValue.flatMap(RFC3339.date)
            else { continue }
            links.first[id] = Incident(opened: opened, resolved: row[2].textValue.flatMap(RFC3339.date))
        }
        return links
    }
}
