public import CountersignEncoding

/// `canary.execution`: a Kayenta execution the server started, and again once judged — so any node answers Argo's
/// poll and a restart loses nothing (a starting node judges what is still running). `status` is the execution's
/// status as Kayenta shows it; `unfinished` what another node needs to judge it (started entries only). A second
/// finish of one execution — two nodes that both resumed it — is refused by the projection, which undoes its whole
/// batch: the first judgement is the only one recorded.
public struct CanaryExecutionRecorded: LedgerEvent, Hashable {
    public var id: String
    public var application: String
    /// `running`, `succeeded` or `terminal`.
    public var state: String
    public var status: JSONValue
    public var unfinished: JSONValue?

    public init(id: String, application: String, state: String, status: JSONValue, unfinished: JSONValue? = nil) {
        self.id = id
        self.application = application
        self.state = state
        self.status = status
        self.unfinished = unfinished
    }

    public var type: EventType { .canaryExecution }

    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] {
        let state = try oneOf(state, ["running", "succeeded", "terminal"], "state")
        guard state == .text("running") else {
            return [
                SQLStatement("INSERT INTO kayenta_finishes (execution_id, seq) VALUES (?, ?)", [.text(id), entry.seq]),
                SQLStatement(
                    """
                    UPDATE kayenta_executions SET state = ?, status = ?, unfinished = NULL, finished_seq = ?
                    WHERE execution_id = ?
                    """, [state, .text(status.canonicalString), entry.seq, .text(id)]),
            ]
        }
        return [
            SQLStatement(
                """
                INSERT INTO kayenta_executions (execution_id, application, state, status, unfinished, started_seq,
                    started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    try nonEmpty(id, "id"), .text(application), state, .text(status.canonicalString),
                    unfinished.map { SQLValue.text($0.canonicalString) } ?? .null, entry.seq, entry.at,
                ])
        ]
    }
}
