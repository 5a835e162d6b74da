/// `admission.warned`: the admission webhook admitted, in warn mode, an object enforcement would have refused —
/// recorded so rolling the webhook out leaves evidence of what would have broken (and what ran unapproved) before
/// enforcement is switched on. A dry run is never recorded. Recorded only; it projects nothing. `suppressed` counts
/// the warnings of the same namespace not recorded before this one (a few a minute per namespace are).
public struct AdmissionWarned: LedgerEvent, Hashable {
    public var namespace: String
    /// The object's kind and, when it has one yet, its name.
    public var kind: String
    public var name: String?
    /// Who applied it, as the API server authenticated them (`userInfo.username`).
    public var user: String?
    /// The AdmissionReview's uid.
    public var uid: String
    /// The denial enforcement would have answered, naming every offending image.
    public var reason: String
    public var suppressed: Int?

    public init(
        namespace: String, kind: String, name: String?, user: String?, uid: String, reason: String,
        suppressed: Int? = nil
    ) {
        self.namespace = namespace
        self.kind = kind
        self.name = name
        self.user = user
        self.uid = uid
        self.reason = reason
        self.suppressed = suppressed
    }

    public var type: EventType { .admissionWarned }
    public func statements(_ entry: ProjectionContext) throws(LedgerError) -> [SQLStatement] { [] }
}
