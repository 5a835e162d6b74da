internal import CountersignEncoding
internal import Foundation

/// Kayenta's REST endpoints over ``KayentaService``, independent of any HTTP framework: the server hands over the
/// method, the path below the mount point, the query parameters and the body, and writes back the status and JSON
/// body. Argo Rollouts' Kayenta provider uses `address: https://countersign.example/kayenta` unchanged.
///
/// - `GET /canaryConfig[?application=]` → `[{id, name, updatedTimestamp, updatedTimestampIso, applications}]`
/// - `POST /canary/{configId}` with a `CanaryExecutionRequest` → `{canaryExecutionId}`
/// - `POST /canary` with `{canaryConfig, executionRequest}` → `{canaryExecutionId}` (ad hoc)
/// - `GET /canary/{id}` → the execution status (`complete`, `status`, `result.judgeResult.score.score`, …)
/// - `GET /canary/executions[?application=&limit=&page=&statuses=]` → statuses, newest first
///
/// Errors answer in Spring's shape, which Kayenta clients expect: `{error, message, status}`.
public struct KayentaAPI: Sendable {
    public struct Response: Sendable, Hashable {
        public var status: Int
        /// JSON.
        public var body: [UInt8]
    }

    public let service: KayentaService

    public init(service: KayentaService) { self.service = service }

    public func handle(method: String, path: String, query: [String: String], body: [UInt8]) async -> Response {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        do throws(CanaryError) {
            switch (method.uppercased(), parts.first, parts.count) {
            case ("GET", "canaryConfig", 1):
                let list = await service.listConfigurations(application: query["application"])
                return ok(.array(list.map(\.summaryJSON)))
            case ("GET", "canary", 2) where parts[1] == "executions":
                var statuses: Set<KayentaExecution.Status> = []
                for raw in (query["statuses"] ?? "").split(separator: ",") {
                    guard let status = KayentaExecution.Status(rawValue: raw.lowercased()) else {
                        throw CanaryError(.invalidInput, "statuses: unknown status \"\(raw)\"")
                    }
                    statuses.insert(status)
                }
                let list = try await service.listExecutions(
                    application: query["application"], statuses: statuses,
                    limit: try bounded(query["limit"], "limit", 1...1_000) ?? 20,
                    page: try bounded(query["page"], "page", 1...1_000_000) ?? 1)
                return ok(.array(list))
            case ("GET", "canary", 2):
                return ok(try await service.status(id: parts[1]))
            case ("POST", "canary", 2):
                let request = try KayentaExecutionRequest.decode(json: Data(body))
                let execution = try await service.start(
                    configId: parts[1], request: request, accounts: accounts(query))
                return ok(.object(["canaryExecutionId": .string(execution.id)]))
            case ("POST", "canary", 1):
                let (config, json, request) = try adHoc(body)
                let execution = try await service.startAdHoc(
                    config, json: json, request: request, accounts: accounts(query))
                return ok(.object(["canaryExecutionId": .string(execution.id)]))
            case (_, "canaryConfig", 1), (_, "canary", 1), (_, "canary", 2):
                return failure(
                    405, "Method Not Allowed", "\(method) is not allowed on /\(parts.joined(separator: "/"))")
            default:
                return failure(404, "Not Found", "no Kayenta endpoint at /\(parts.joined(separator: "/"))")
            }
        } catch {
            switch error.code {
            case .notFound: return failure(404, "Not Found", error.message)
            case .unavailable: return failure(503, "Service Unavailable", error.message)
            default: return failure(400, "Bad Request", error.message)
            }
        }
    }

    private func accounts(_ query: [String: String]) -> KayentaExecution.Accounts {
        KayentaExecution.Accounts(
            application: query["application"].flatMap { $0.isEmpty ? nil : $0 } ?? "ad-hoc",
            metricsAccountName: query["metricsAccountName"],
            configurationAccountName: query["configurationAccountName"],
            storageAccountName: query["storageAccountName"])
    }

    private func adHoc(_ body: [UInt8]) throws(CanaryError)
        -> (CanaryConfiguration, JSONValue, KayentaExecutionRequest)
    {
        guard let top = (try? JSONValue(parsing: body))?.objectDictionary else {
            throw CanaryError(.invalidInput, "the ad-hoc request is not a JSON object")
        }
        guard let config = top["canaryConfig"], let request = top["executionRequest"] else {
            throw CanaryError(.invalidInput, "an ad-hoc request needs canaryConfig and executionRequest")
        }
        return (try CanaryConfiguration.decode(config), config, try KayentaExecutionRequest.decode(request))
    }

    /// Query numbers are bounded before any arithmetic: `limit=4611686018427387904&page=3` once overflowed the
    /// page offset and trapped the server.
    private func bounded(_ text: String?, _ name: String, _ range: ClosedRange<Int>) throws(CanaryError) -> Int? {
        guard let text else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw CanaryError(
                .invalidInput,
                "\(name): expected an integer from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return n
    }

    private func ok(_ json: JSONValue) -> Response { Response(status: 200, body: json.canonicalBytes) }

    private func failure(_ status: Int, _ error: String, _ message: String) -> Response {
        Response(
            status: status,
            body: JSONValue.object([
                "error": .string(error), "message": .string(message), "status": .number(Double(status)),
            ]).canonicalBytes)
    }
}

extension KayentaService.StoredConfiguration {
    var summaryJSON: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id),
            "updatedTimestamp": .number(KayentaTime.millis(updated)),
            "updatedTimestampIso": .string(KayentaTime.format(updated)),
            "applications": .array(configuration.applications.map(JSONValue.string)),
        ]
        o["name"] = configuration.name.map(JSONValue.string) ?? .string(id)
        return .object(o)
    }
}
