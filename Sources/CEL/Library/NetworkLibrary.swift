extension Library {
    /// IP addresses and CIDR ranges (Kubernetes' library, as cel-spec's `network_ext` tests it): `ip()`,
    /// `isIP()`, `ip.isCanonical()`, `cidr()`, `isCIDR()`, and the address and network accessors.
    public static let network = Library(
        "network", functions: NetworkLibrary.functions,
        types: ["net.IP": NetworkLibrary.ipType, "net.CIDR": NetworkLibrary.cidrType])
}

enum NetworkLibrary {
    static let ipType = CELType.opaque("net.IP", [])
    static let cidrType = CELType.opaque("net.CIDR", [])

    static func ip(_ v: Value, _ name: String) throws(EvalError) -> IPAddress {
        switch v {
        case .object(let o as IPAddress): return o
        case .string(let s): return try IPAddress.parse(s)
        default: throw EvalError.noOverload(name, [v])
        }
    }

    static func cidr(_ v: Value, _ name: String) throws(EvalError) -> CIDR {
        switch v {
        case .object(let o as CIDR): return o
        case .string(let s): return try CIDR.parse(s)
        default: throw EvalError.noOverload(name, [v])
        }
    }

    static func ipPredicate(_ name: String, _ f: @escaping @Sendable (IPAddress) -> Bool) -> Function {
        Function(
            name,
            [
                Overload("ip_\(name)", member: true, [ipType], .bool) { (v) throws(EvalError) in
                    .bool(f(try ip(v, name)))
                }
            ])
    }

    static let functions: [Function] = [
        Function(
            "ip",
            [
                Overload("string_to_ip", [.string], ipType, cost: .linear(0.1)) { (v) throws(EvalError) in
                    guard case .string = v else { throw EvalError.noOverload("ip", [v]) }
                    return .object(try ip(v, "ip"))
                }
            ]),
        Function(
            "isIP",
            [
                Overload("is_ip_string", [.string], .bool, cost: .linear(0.1)) { (v) throws(EvalError) in
                    guard case .string(let s) = v else { throw EvalError.noOverload("isIP", [v]) }
                    return .bool((try? IPAddress.parse(s)) != nil)
                }
            ]),
        Function(
            "ip.isCanonical",
            [
                Overload("ip_is_canonical_string", [.string], .bool, cost: .linear(0.1)) { (v) throws(EvalError) in
                    guard case .string(let s) = v else { throw EvalError.noOverload("ip.isCanonical", [v]) }
                    return .bool(try IPAddress.parse(s).stringValue == s)
                }
            ]),
        Function(
            "family",
            [
                Overload("ip_family", member: true, [ipType], .int) { (v) throws(EvalError) in
                    .int(try ip(v, "family").isIPv4 ? 4 : 6)
                }
            ]),
        ipPredicate("isUnspecified") { $0.isUnspecified },
        ipPredicate("isLoopback") { $0.isLoopback },
        ipPredicate("isGlobalUnicast") { $0.isGlobalUnicast },
        ipPredicate("isLinkLocalMulticast") { $0.isLinkLocalMulticast },
        ipPredicate("isLinkLocalUnicast") { $0.isLinkLocalUnicast },
        Function(
            "cidr",
            [
                Overload("string_to_cidr", [.string], cidrType, cost: .linear(0.1)) { (v) throws(EvalError) in
                    guard case .string = v else { throw EvalError.noOverload("cidr", [v]) }
                    return .object(try cidr(v, "cidr"))
                }
            ]),
        Function(
            "isCIDR",
            [
                Overload("is_cidr_string", [.string], .bool, cost: .linear(0.1)) { (v) throws(EvalError) in
                    guard case .string(let s) = v else { throw EvalError.noOverload("isCIDR", [v]) }
                    return .bool((try? CIDR.parse(s)) != nil)
                }
            ]),
        Function(
            "containsIP",
            [cidrType, .string].map { arg in
                Overload(
                    "cidr_contains_ip_\(arg == .string ? "string" : "ip")", member: true,
                    [cidrType, arg == .string ? .string : ipType], .bool
                ) {
                    (c, i) throws(EvalError) in .bool(try cidr(c, "containsIP").contains(try ip(i, "containsIP")))
                }
            }),
        Function(
            "containsCIDR",
            [cidrType, .string].map { arg in
                Overload(
                    "cidr_contains_cidr_\(arg == .string ? "string" : "cidr")", member: true, [cidrType, arg], .bool
                ) {
                    (c, o) throws(EvalError) in .bool(try cidr(c, "containsCIDR").contains(try cidr(o, "containsCIDR")))
                }
            }),
        Function(
            "ip",
            [
                Overload("cidr_ip", member: true, [cidrType], ipType) { (v) throws(EvalError) in
                    .object(try cidr(v, "ip").address)
                }
            ]),
        Function(
            "masked",
            [
                Overload("cidr_masked", member: true, [cidrType], cidrType) { (v) throws(EvalError) in
                    .object(try cidr(v, "masked").masked)
                }
            ]),
        Function(
            "prefixLength",
            [
                Overload("cidr_prefix_length", member: true, [cidrType], .int) { (v) throws(EvalError) in
                    .int(Int64(try cidr(v, "prefixLength").prefixLength))
                }
            ]),
        Function(
            "string",
            [
                Overload("ip_to_string", [ipType], .string) { (v) throws(EvalError) in
                    .string(try ip(v, "string").stringValue ?? "")
                },
                Overload("cidr_to_string", [cidrType], .string) { (v) throws(EvalError) in
                    .string(try cidr(v, "string").stringValue ?? "")
                },
            ]),
    ]
}
