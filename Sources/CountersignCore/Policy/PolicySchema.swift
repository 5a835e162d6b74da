public import CEL

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
        let read: @Sendable (Inputs) -> Value

        init(_ name: String, _ type: CELType, _ read: @escaping @Sendable (Inputs) -> Value) {
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
    }

    public static let change = Object(
        variable: "change", typeName: "countersign.Change",
        fields: [
            Field("commit", .string) { .string($0.request.change.commit) },
            Field("ref", .string) { .string($0.request.change.ref) },
            Field("kind", .string) { .string($0.request.change.kind) },
            Field("reversible", .bool) { .bool($0.request.change.reversible) },
            Field("labels", .list(.string)) { .list($0.request.change.labels.map { .string($0) }) },
            Field("ticket", .string) { .string($0.request.change.ticket ?? "") },
            Field("rollbackPlan", .string) { .string($0.request.change.rollbackPlan ?? "") },
            Field("author", .string) { .string($0.request.change.pullRequest?.author ?? "") },
            Field("committers", .list(.string)) {
                .list(($0.request.change.pullRequest?.committers ?? []).map { .string($0) })
            },
            Field("reviewers", .list(.string)) {
                .list(($0.request.change.pullRequest?.reviewers ?? []).map { .string($0) })
            },
            /// The pull request's number; 0 without one.
            Field("pullRequest", .int) { .int(Int64($0.request.change.pullRequest?.number ?? 0)) },
        ])

    public static let request = Object(
        variable: "request", typeName: "countersign.Request",
        fields: [
            Field("id", .string) { .string($0.request.id) },
            Field("service", .string) { .string($0.request.service) },
            Field("environment", .string) { .string($0.request.environment) },
            Field("artifact", .string) { .string($0.request.artifact) },
            Field("digest", .string) { .string($0.digest) },
            Field("requester", .string) { .string($0.request.requester) },
            Field("deployer", .string) { .string($0.request.deployer) },
        ])

    public static let environment = Object(
        variable: "environment", typeName: "countersign.Environment",
        fields: [
            Field("name", .string) { .string($0.environment?.name ?? "") },
            Field("rank", .int) { .int(Int64($0.environment?.rank ?? 0)) },
            /// An environment the policy does not define counts as protected: fail closed.
            Field("protected", .bool) { .bool($0.environment?.protected ?? true) },
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

    /// The values conditions read for one decision: every declared field, read from `inputs`.
    public static func bindings(_ inputs: Inputs) -> [String: Value] {
        var bindings: [String: Value] = [:]
        bindings.reserveCapacity(objects.count)
        for object in objects {
            var fields: [String: Value] = [:]
            fields.reserveCapacity(object.fields.count)
            for field in object.fields { fields[field.name] = field.read(inputs) }
            bindings[object.variable] = .object(InputObject(type: .object(object.typeName), fields: fields))
        }
        return bindings
    }
}

/// One input as a condition sees it: an object of its declared type (`type(change)` is `countersign.Change`,
/// as the checker says), its fields read once per decision.
final class InputObject: ObjectValue {
    let celType: CELType
    private let fields: [String: Value]

    init(type: CELType, fields: [String: Value]) {
        celType = type
        self.fields = fields
    }

    func field(_ name: String) -> Value? { fields[name] }

    func isEqual(to other: any ObjectValue) -> Bool {
        guard let other = other as? InputObject, other.celType == celType, other.fields.count == fields.count else {
            return false
        }
        return fields.allSatisfy { name, value in other.fields[name].map { $0.celEquals(value) } ?? false }
    }
}
