public import CountersignEncoding

extension ReadModel {
    /// A Kayenta execution's status as served, nil when there is none.
    public func kayentaStatus(id: String) async throws(LedgerError) -> JSONValue? {
        guard
            let row = try await rows(
                "kayenta_executions", "SELECT status FROM kayenta_executions WHERE execution_id = ?", [.text(id)]
            ).first
        else { return nil }
        return try Self.json(try row.required(row.text("status")), "kayenta_executions.status")
    }

    /// Statuses newest first, of `application` and in `states` when given.
    public func kayentaStatuses(application: String?, states: [String], limit: Int, skip: Int)
        async throws(LedgerError) -> [JSONValue]
    {
        var sql = "SELECT status FROM kayenta_executions WHERE 1 = 1"
        var arguments: [SQLValue] = []
        if let application {
            sql += " AND application = ?"
            arguments.append(.text(application))
        }
        if !states.isEmpty {
            sql += " AND state IN (" + states.map { _ in "?" }.joined(separator: ", ") + ")"
            arguments += states.map(SQLValue.text)
        }
        sql += " ORDER BY started_seq DESC LIMIT ? OFFSET ?"
        arguments += [.integer(Int64(limit)), .integer(Int64(skip))]
        return try await rows("kayenta_executions", sql, arguments).map { row throws(LedgerError) in
            try Self.json(try row.required(row.text("status")), "kayenta_executions.status")
        }
    }

    /// What each running execution needs to be judged, oldest first.
    public func kayentaUnfinished() async throws(LedgerError) -> [JSONValue] {
        try await rows(
            "kayenta_executions",
            "SELECT unfinished FROM kayenta_executions WHERE state = 'running' AND unfinished IS NOT NULL "
                + "ORDER BY started_seq", []
        ).map { row throws(LedgerError) in
            try Self.json(try row.required(row.text("unfinished")), "kayenta_executions.unfinished")
        }
    }

    private static func json(_ text: String, _ column: String) throws(LedgerError) -> JSONValue {
        do { return try JSONValue(parsing: text) } catch {
            throw LedgerError(.storage, "\(column) does not hold JSON: \(error)")
        }
    }
}
