internal import CountersignEncoding
internal import Foundation

/// A Prometheus query result, typed as the server reported it.
public enum PrometheusResult: Sendable, Hashable {
    case scalar(Double)
    /// One value per series, in the order returned.
    case vector([Double])
    /// Each series with its samples, in the order returned.
    case matrix([PrometheusSeries])

    /// The value Argo binds to `result`: a scalar's number, a vector's list, a matrix flattened into one list.
    public var argoValue: MeasurementValue {
        switch self {
        case .scalar(let x): .number(x)
        case .vector(let xs): .vector(xs)
        case .matrix(let series): .vector(series.flatMap(\.values))
        }
    }
}

/// One series of a range query: its labels and its samples (Unix seconds, value), in time order.
public struct PrometheusSeries: Sendable, Hashable {
    public var labels: [String: String]
    public var times: [Double]
    public var values: [Double]

    public init(labels: [String: String], times: [Double], values: [Double]) {
        self.labels = labels
        self.times = times
        self.values = values
    }
}

/// Decodes Prometheus' `/api/v1/query` and `/api/v1/query_range` answers.
enum PrometheusResponse {
    static func decode(_ body: [UInt8], status: Int) throws(CanaryError) -> PrometheusResult {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: body)
        } catch {
            let excerpt = String(decoding: body.prefix(200), as: UTF8.self)
            throw CanaryError(.measurementFailed, "Prometheus answered HTTP \(status) with non-JSON: \(excerpt)")
        }
        guard let top = json.objectDictionary else {
            throw CanaryError(.measurementFailed, "Prometheus answered HTTP \(status) with JSON that is not an object")
        }
        if top["status"] != .string("success") {
            let type = top["errorType"].flatMap(\.stringValue) ?? "error"
            let message = top["error"].flatMap(\.stringValue) ?? "no error message"
            throw CanaryError(.measurementFailed, "Prometheus query failed (HTTP \(status), \(type)): \(message)")
        }
        guard let data = top["data"]?.objectDictionary, let type = data["resultType"]?.stringValue,
            let result = data["result"]
        else {
            throw CanaryError(.measurementFailed, "Prometheus response has no data.resultType and data.result")
        }
        switch (type, result) {
        case ("scalar", .array(let pair)):
            return .scalar(try sample(pair))
        case ("vector", .array(let series)):
            var values: [Double] = []
            for s in series {
                guard let o = s.objectDictionary, case .array(let pair)? = o["value"] else {
                    throw CanaryError(.measurementFailed, "Prometheus vector element has no value")
                }
                values.append(try sample(pair))
            }
            return .vector(values)
        case ("matrix", .array(let series)):
            var matrix: [PrometheusSeries] = []
            for s in series {
                guard let o = s.objectDictionary, case .array(let points)? = o["values"] else {
                    throw CanaryError(.measurementFailed, "Prometheus matrix element has no values")
                }
                var one = PrometheusSeries(labels: [:], times: [], values: [])
                if let labels = o["metric"]?.objectDictionary {
                    one.labels = labels.compactMapValues(\.stringValue)
                }
                for p in points {
                    guard case .array(let pair) = p, case .number(let time)? = pair.first else {
                        throw CanaryError(.measurementFailed, "Prometheus matrix sample is not [time, value]")
                    }
                    one.times.append(time)
                    one.values.append(try sample(pair))
                }
                matrix.append(one)
            }
            return .matrix(matrix)
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
