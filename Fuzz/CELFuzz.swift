// libFuzzer harness `cel`: the input is a CEL expression, taken through every stage a policy condition goes
// through — parse (with and without macros), type-check against the variables policies declare
// (`PolicySchema`), compile under the default limits, evaluate under the runtime cost limit —
// and, when it does not compile, planned unchecked and evaluated anyway: the interpreter must answer ill-typed and
// over-budget expressions with an error, never a trap, and within its cost limit (a blowup the cost accounting
// misses is caught by libFuzzer's -timeout).
//
// Properties: evaluation is deterministic; a checked expression's value has the type the checker deduced. (The
// static cost estimate is not checked against the runtime cost: it is not an upper bound for functions charged by
// the size of their result — `lists.range(3)` costs 4 and is estimated at 2 — so the runtime limit is what bounds
// an evaluation; docs/fuzzing.md.)

internal import CEL
internal import CountersignCore

/// The environment tier conditions and requirements are compiled in.
let environment = PolicySchema.environmentForConditions

/// Bindings built as `Gate` builds them for a decision (examples/requests/payments-migration.json).
let bindings: [String: Value] = PolicySchema.bindings(
    PolicySchema.Inputs(
        request: DeployRequest(
            id: "req-1", service: "payments", environment: "production",
            artifact: "registry.example.com/payments/migrations@sha256:" + String(repeating: "4d", count: 32),
            change: Change(
                commit: "c0ffee1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b", ref: "refs/heads/main",
                pullRequest: Change.PullRequest(number: 51, author: "bob", committers: ["bob"], reviewers: ["alice"]),
                ticket: "PAY-99", kind: "schema-migration", reversible: false, labels: ["one-way"],
                rollbackPlan: "restore from the pre-migration snapshot"),
            requester: "deploy-bot", deployer: "deploy-bot"),
        digest: "sha256:" + String(repeating: "4d", count: 32),
        environment: DeploymentEnvironment(
            name: "production", rank: 3, protected: true, deployers: [], sourceRefs: [], defaultTier: nil)))

/// What one evaluation produced, comparable across runs.
enum Outcome: Equatable {
    case value(String, cost: Int)
    case error(String)
}

func evaluate(_ program: Program) -> (Outcome, Value?) {
    do {
        let (value, cost) = try program.evaluateWithCost(bindings)
        return (.value(value.description, cost: cost), value)
    } catch {
        return (.error(error.message), nil)
    }
}

/// Whether `value` is a value of `type`; `nil` when the type says nothing checkable (`dyn`, type parameters).
func conforms(_ value: Value, to type: CELType, depth: Int = 0) -> Bool? {
    guard depth < 8 else { return nil }
    switch (type, value) {
    case (.dyn, _), (.typeParam, _), (.error, _): return nil
    // `null` is a value of the nullable types: the checker joins it with them (`[optional.of(1), null]` is a list
    // of optional_type(int)), as cel-go's legacy nullable types do.
    case (.optional, .null), (.opaque, .null), (.object, .null): return true
    case (.null, .null), (.bool, .bool), (.int, .int), (.uint, .uint), (.double, .double), (.string, .string),
        (.bytes, .bytes), (.timestamp, .timestamp), (.duration, .duration), (.type, .type):
        return true
    case (.list(let element), .list(let items)):
        return items.allSatisfy { conforms($0, to: element, depth: depth + 1) != false }
    case (.map(_, let valueType), .map(let map)):
        return map.values.allSatisfy { conforms($0, to: valueType, depth: depth + 1) != false }
    case (.optional(let wrapped), .optional(let inner)):
        return inner.map { conforms($0, to: wrapped, depth: depth + 1) != false } ?? true
    case (.opaque(let name, _), .object(let o)), (.object(let name), .object(let o)):
        return o.celType.runtimeName == name
    default: return false
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let source = String(decoding: bytes(data, size), as: UTF8.self)
    _ = try? environment.parse(source, macros: false)
    guard let parsed = try? environment.parse(source) else { return 0 }
    let checked = try? environment.check(parsed)
    let program = (try? environment.compile(source)) ?? environment.program(parsed)
    let (first, value) = evaluate(program)
    let (second, _) = evaluate(program)
    require(first == second, "two evaluations of \(source) differ: \(first) then \(second)")
    if let checked, let value {
        require(
            conforms(value, to: checked.type) != false,
            "\(source) is checked as \(checked.type) but evaluated to \(value.typeName) \(value)")
    }
    return 0
}
