internal import Foundation

/// Decodes Prometheus' `/api/v1/query` and `/api/v1/query_range` answers into the value Argo binds to `result`.
enum PrometheusResponse {
    static func decode(_ body: [UInt8], status: Int) throws(CanaryError) -> MeasurementValue {
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch {
            let excerpt = String(decoding: body.prefix(200), as: UTF8.self)
            throw CanaryError(.measurementFailed, "Prometheus answered HTTP \(status) with non-JSON: \(excerpt)")
        }
        guard case .object(let top) = json else {
            throw CanaryError(.measurementFailed, "Prometheus answered HTTP \(status) with JSON that is not an object")
        }
        if top["status"] != .string("success") {
            let type = top["errorType"].flatMap(\.stringValue) ?? "error"
            let message = top["error"].flatMap(\.stringValue) ?? "no error message"
            throw CanaryError(.measurementFailed, "Prometheus query failed (HTTP \(status), \(type)): \(message)")
        }
        guard case .object(let data)? = top["data"], let type = data["resultType"]?.stringValue,
            let result = data["result"]
        else {
            throw CanaryError(.measurementFailed, "Prometheus response has no data.resultType and data.result")
        }
        switch (type, result) {
        case ("scalar", .array(let pair)):
            return .number(try sample(pair))
        case ("vector", .array(let series)):
            var values: [MeasurementValue] = []
            for s in series {
                guard case .object(let o) = s, case .array(let pair)? = o["value"] else {
                    throw CanaryError(.measurementFailed, "Prometheus vector element has no value")
                }
                values.append(.number(try sample(pair)))
            }
            return .list(values)
        case ("matrix", .array(let series)):
            var values: [MeasurementValue] = []
            for s in series {
                guard case .object(let o) = s, case .array(let points)? = o["values"] else {
                    throw CanaryError(.measurementFailed, "Prometheus matrix element has no values")
                }
                for p in points {
                    guard case .array(let pair) = p else {
                        throw CanaryError(.measurementFailed, "Prometheus matrix sample is not [time, value]")
                    }
                    values.append(.number(try sample(pair)))
                }
            }
            return .list(values)
        default:
            throw CanaryError(.measurementFailed, "Prometheus result type '\(type)' is not supported")
        }
    }

    /// One `[unixTime, "value"]` pair's value; Prometheus writes values as strings (`"NaN"`, `"+Inf"` included).
    private static func sample(_ pair: [JSONValue]) throws(CanaryError) -> Double {
        guard pair.count == 2, let text = pair[1].stringValue, let value = PrometheusNumber.parse(text) else {
            throw CanaryError(.measurementFailed, "Prometheus sample is not [time, \"number\"]")
        }
        return value
    }
}
