package import CountersignLedger

extension ControlError {
    /// The ledger's failures as control errors: a store that cannot be reached is 503, never a silent success.
    package init(ledger error: LedgerError, file: String = #fileID, line: Int = #line) {
        switch error.code {
        case .storage, .timedOut:
            self.init(.unavailable, "the ledger is unavailable: \(error.message)", file: file, line: line)
        case .invalidInput, .limitExceeded: self.init(.badRequest, error.message, file: file, line: line)
        case .readOnly, .notPermitted: self.init(.forbidden, error.message, file: file, line: line)
        case .busy: self.init(.tooManyRequests, error.message, file: file, line: line)
        default: self.init(.internal, error.message, file: file, line: line)
        }
    }
}
