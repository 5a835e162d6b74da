public import CountersignControl
internal import CountersignCore
internal import CountersignEncoding
internal import CountersignLedger
public import Hummingbird

/// `/api/v1/checks`: builders report check results for a digest.
public struct CheckRoutes: Sendable {
    let control: ControlPlane

    public init(control: ControlPlane) { self.control = control }

    struct ReportBody: Decodable {
        var digest: String
        var name: String
        var status: CheckResult.Status
        var details: String?
    }

    public func add(to group: RouterGroup<ServerRequestContext>) {
        group.post("checks") { request, context in
            let body = try await JSONBody.decode(ReportBody.self, request)
            let seq = try await control.reportCheck(
                digest: body.digest, name: body.name, status: body.status, details: body.details,
                by: try context.caller())
            return JSONBody.response(
                .object([
                    ("seq", .number(Double(seq))), ("digest", .string(body.digest)), ("name", .string(body.name)),
                    ("status", .string(body.status.rawValue)),
                ]), status: .created)
        }
    }
}
