public import CEL
internal import Synchronization

/// The inputs a policy's conditions read — `change`, `request` and `environment` — declared once: each field's
/// name, its CEL type and how it is read from the request being decided. The loader declares these as CEL object
/// types, so a condition naming a field that does not exist (`change.knd`) is a lint error at its file and line
/// instead of a production denial; the gate builds its bindings from the same fields, so what a condition may read
/// and what it is given cannot drift apart.
public enum PolicySchema {
    /// What one decision's bindings are read from.
    public struct Inputs: Sendable {
        public var request: DeployRequest
        /// The artifact's `sha256:` digest (empty when the reference is not pinned).
        public var digest: String
        /// The policy's environment of that name, when it has one.
        public var environment: DeploymentEnvironment?

        public init(request: DeployRequest, digest: String, environment: DeploymentEnvironment?) {
            self.request = request
            self.digest = digest
            self.environment = environment
        }
    }

    /// One field of an input object.
    public struct Field: Sendable {
        public let name: String
        public let type: CELType
        let read: @Sendable (InputSource) -> Value

        init(_ name: String, _ type: CELType, _ read: @escaping @Sendable (InputSource) -> Value) {
            self.name = name
            self.type = type
            self.read = read
        }
    }

    /// One input: the variable conditions name, its CEL object type and its fields.
    public struct Object: Sendable {
        public let variable: String
        public let typeName: String
        public let fields: [Field]
        /// Field name → position in `fields`, for reading one field when a condition asks for it.
        let index: [String: Int]

        init(variable: String, typeName: String, fields: [Field]) {
            self.variable = variable
            self.typeName = typeName
            self.fields = fields
            index = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($0.element.name, $0.offset) })
        }
    }

    public static let change = Object(
        variable: "change", typeName: "countersign.Change",
        fields: [
            Field("commit", .string) { .string($0.inputs.request.change.commit) },
            Field("ref", .string) { .string($0.inputs.request.change.ref) },
            Field("kind", .string) { .string($0.inputs.request.change.kind) },
            Field("reversible", .bool) { .bool($0.inputs.request.change.reversible) },
            Field("labels", .list(.string)) { .list($0.inputs.request.change.labels.map { .string($0) }) },
            Field("ticket", .string) { .string($0.inputs.request.change.ticket ?? "") },
            Field("rollbackPlan", .string) { .string($0.inputs.request.change.rollbackPlan ?? "") },
            Field("author", .string) { .string($0.inputs.request.change.pullRequest?.author ?? "") },
            Field("committers", .list(.string)) {
                .list(($0.inputs.request.change.pullRequest?.committers ?? []).map { .string($0) })
            },
            Field("reviewers", .list(.string)) {
                .list(($0.inputs.request.change.pullRequest?.reviewers ?? []).map { .string($0) })
            },
            /// The pull request's number; 0 without one.
            Field("pullRequest", .int) { .int(Int64($0.inputs.request.change.pullRequest?.number ?? 0)) },
        ])

    public static let request = Object(
        variable: "request", typeName: "countersign.Request",
        fields: [
            Field("id", .string) { .string($0.inputs.request.id) },
            Field("service", .string) { .string($0.inputs.request.service) },
            Field("environment", .string) { .string($0.inputs.request.environment) },
            Field("artifact", .string) { .string($0.inputs.request.artifact) },
            Field("digest", .string) { .string($0.inputs.digest) },
            Field("requester", .string) { .string($0.inputs.request.requester) },
            Field("deployer", .string) { .string($0.inputs.request.deployer) },
        ])

    public static let environment = Object(
        variable: "environment", typeName: "countersign.Environment",
        fields: [
            Field("name", .string) { .string($0.inputs.environment?.name ?? "") },
            Field("rank", .int) { .int(Int64($0.inputs.environment?.rank ?? 0)) },
            /// An environment the policy does not define counts as protected: fail closed.
            Field("protected", .bool) { .bool($0.inputs.environment?.protected ?? true) },
        ])

    public static let objects = [change, request, environment]

    /// The variables conditions are checked against: each input as its object type.
    public static let variables: [String: CELType] = Dictionary(
        uniqueKeysWithValues: objects.map { ($0.variable, .object($0.typeName)) })

    /// Each object type's fields and their types.
    public static let objectTypes: [String: [String: CELType]] = Dictionary(
        uniqueKeysWithValues: objects.map { object in
            (object.typeName, Dictionary(uniqueKeysWithValues: object.fields.map { ($0.name, $0.type) }))
        })

    /// The CEL environment every tier condition and requirement is compiled in.
    public static let environmentForConditions = CEL.Environment(variables: variables, objectTypes: objectTypes)

    /// The values conditions read for one decision: each input as an object of its declared type whose fields are
    /// read from `inputs` when a condition asks for them — most conditions read two or three of the twenty-one.
    public static func bindings(_ inputs: consuming Inputs) -> [String: Value] {
        bindings(InputSource(inputs))
    }

    /// The bindings over `source`, which then records which of `change`'s fields the conditions read.
    static func bindings(_ source: InputSource) -> [String: Value] {
        var bindings: [String: Value] = [:]
        bindings.reserveCapacity(objects.count)
        for object in objects { bindings[object.variable] = .object(InputObject(object, source)) }
        return bindings
    }
}

/// The inputs of one decision, shared by its three input objects; fields are read through it in place (a struct
/// handed to each read would be copied, every string in it retained, per field).
final class InputSource: Sendable {
    let inputs: PolicySchema.Inputs
    /// Which of `change`'s fields conditions have read: bit i for `PolicySchema.change.fields[i]`. The gate decides
    /// a request's own account of its change only when it differs from GitHub's record in a field read here — a
    /// field no condition read cannot change what they yield.
    let changeFieldsRead = Atomic<UInt64>(0)
    init(_ inputs: consuming PolicySchema.Inputs) { self.inputs = inputs }

    /// Whether a condition read `change.<name>`.
    func readChange(_ name: String) -> Bool {
        guard let i = PolicySchema.change.index[name] else { return false }
        return changeFieldsRead.load(ordering: .relaxed) & (1 << UInt64(i)) != 0
    }
}

/// One input as a condition sees it: an object of its declared type (`type(change)` is `countersign.Change`,
/// as the checker says). A field is read from the decision's inputs when a condition selects it; the inputs do
/// not change during a decision, so reading it twice gives the same value.
final class InputObject: ObjectValue {
    let celType: CELType
    private let object: PolicySchema.Object
    private let source: InputSource

    init(_ object: PolicySchema.Object, _ source: InputSource) {
        celType = .object(object.typeName)
        self.object = object
        self.source = source
    }

    func field(_ name: String) -> Value? {
        guard let i = object.index[name] else { return nil }
        if object.variable == PolicySchema.change.variable {
            source.changeFieldsRead.bitwiseOr(1 << UInt64(i), ordering: .relaxed)
        }
        return object.fields[i].read(source)
    }

    func isEqual(to other: any ObjectValue) -> Bool {
        guard let other = other as? InputObject, other.celType == celType else { return false }
        // Compared whole: every field is read.
        for source in [source, other.source] where object.variable == PolicySchema.change.variable {
            source.changeFieldsRead.store(.max, ordering: .relaxed)
        }
        return object.fields.allSatisfy { field in
            field.read(source).celEquals(field.read(other.source))
        }
    }
}
