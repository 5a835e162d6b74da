/// An IPv4 or IPv6 address: CEL's `net.IP` (Kubernetes' and cel-go's network library).
///
/// Parsing follows Go's `net/netip`: dotted-quad IPv4 without leading zeros, IPv6 with `::` compression;
/// zones (`%en0`) and dotted IPv4-mapped IPv6 (`::ffff:1.2.3.4`) are rejected, as Kubernetes requires.
public final class IPAddress: ObjectValue {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var celType: CELType { .opaque("net.IP", []) }
    public var isIPv4: Bool { bytes.count == 4 }

    /// The address with an IPv4-mapped IPv6 address turned into its IPv4 form, for equality and containment.
    var unmapped: [UInt8] {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return Array(bytes[12...])
        }
        return bytes
    }

    public func isEqual(to other: any ObjectValue) -> Bool {
        guard let o = other as? IPAddress else { return false }
        return unmapped == o.unmapped
    }

    public var stringValue: String? { IPAddress.format(bytes) }

    /// Parses an address, or throws the error message CEL reports.
    public static func parse(_ s: String) throws(EvalError) -> IPAddress {
        if s.contains("%") { throw EvalError(.invalidArgument, "IP Address with zone value is not allowed") }
        let parsed = s.contains(":") ? parseIPv6(s) : parseIPv4(Substring(s))
        guard let parsed, let ip = IPAddress(bytes: parsed) else {
            throw EvalError(.invalidArgument, "IP Address '\(s)' parse error during conversion from string")
        }
        if s.contains("."), ip.bytes.count == 16, ip.unmapped.count == 4 {
            throw EvalError(.invalidArgument, "IPv4-mapped IPv6 address is not allowed")
        }
        return ip
    }

    static func parseIPv4(_ s: Substring) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }),
                !(p.count > 1 && p.hasPrefix("0")), let v = UInt8(p)
            else { return nil }
            out.append(v)
        }
        return out
    }

    static func parseIPv6(_ s: String) -> [UInt8]? {
        let scalars = Array(s.utf8)
        var halves: [String] = []
        var start = 0
        var i = 0
        while i + 1 < scalars.count {
            if scalars[i] == UInt8(ascii: ":") && scalars[i + 1] == UInt8(ascii: ":") {
                halves.append(String(decoding: scalars[start..<i], as: UTF8.self))
                i += 2
                start = i
            } else {
                i += 1
            }
        }
        halves.append(String(decoding: scalars[start...], as: UTF8.self))
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if i == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, let v = UInt16(piece, radix: 16) else { return nil }
                result.append(v)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// The canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, shortest, longest zero run as `::`).
    static func format(_ b: [UInt8]) -> String {
        if b.count == 4 { return b.map(String.init).joined(separator: ".") }
        if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF {
            return "::ffff:" + b[12...].map(String.init).joined(separator: ".")
        }
        let g = (0..<8).map { UInt16(b[2 * $0]) << 8 | UInt16(b[2 * $0 + 1]) }
        var bestStart = -1
        var bestLength = 0
        var i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > bestLength && j - i >= 2 {
                    bestStart = i
                    bestLength = j - i
                }
                i = j
            } else {
                i += 1
            }
        }
        let hex = g.map { String($0, radix: 16) }
        if bestStart < 0 { return hex.joined(separator: ":") }
        return hex[..<bestStart].joined(separator: ":") + "::" + hex[(bestStart + bestLength)...].joined(separator: ":")
    }

    var isUnspecified: Bool { unmapped.allSatisfy { $0 == 0 } && (bytes.count == 4 || unmapped.count == 16) }
    var isLoopback: Bool {
        let u = unmapped
        return u.count == 4 ? u[0] == 127 : u == Array(repeating: 0, count: 15) + [1]
    }
    var isMulticast: Bool {
        let u = unmapped
        return u.count == 4 ? u[0] & 0xF0 == 0xE0 : u[0] == 0xFF
    }
    var isLinkLocalUnicast: Bool {
        let u = unmapped
        return u.count == 4 ? u[0] == 169 && u[1] == 254 : u[0] == 0xFE && u[1] & 0xC0 == 0x80
    }
    var isLinkLocalMulticast: Bool {
        let u = unmapped
        return u.count == 4 ? u[0] == 224 && u[1] == 0 && u[2] == 0 : u[0] == 0xFF && u[1] & 0x0F == 0x02
    }
    var isGlobalUnicast: Bool {
        let u = unmapped
        if u.count == 4 && u == [255, 255, 255, 255] { return false }
        return !(isUnspecified || isLoopback || isMulticast || isLinkLocalUnicast)
    }
}

/// An IP network in CIDR notation: CEL's `net.CIDR`.
public final class CIDR: ObjectValue {
    /// The address as written (not masked; `masked()` gives the network address).
    public let address: IPAddress
    public let prefixLength: Int

    init(address: IPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    public var celType: CELType { .opaque("net.CIDR", []) }

    public func isEqual(to other: any ObjectValue) -> Bool {
        guard let o = other as? CIDR else { return false }
        return prefixLength == o.prefixLength && address.bytes == o.address.bytes
    }

    public var stringValue: String? { "\(IPAddress.format(address.bytes))/\(prefixLength)" }

    /// Parses `address/length`, or throws the error message CEL reports.
    public static func parse(_ s: String) throws(EvalError) -> CIDR {
        if s.contains("%") { throw EvalError(.invalidArgument, "CIDR with zone value is not allowed") }
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        let bad = EvalError(.invalidArgument, "network address parse error during conversion from string")
        guard parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
            let length = Int(parts[1])
        else { throw bad }
        let ip: IPAddress
        do {
            ip = try IPAddress.parse(String(parts[0]))
        } catch {
            if error.message.contains("IPv4-mapped") { throw error }
            throw bad
        }
        guard length <= ip.bytes.count * 8 else { throw bad }
        return CIDR(address: ip, prefixLength: length)
    }

    /// The network address: the address with the host bits cleared.
    public var masked: CIDR {
        var b = address.bytes
        for i in 0..<b.count {
            let bitsHere = max(0, min(8, prefixLength - i * 8))
            b[i] &= bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsHere))
        }
        return CIDR(address: IPAddress(bytes: b)!, prefixLength: prefixLength)
    }

    public func contains(_ ip: IPAddress) -> Bool {
        let a = address.unmapped
        let b = ip.unmapped
        guard a.count == b.count else { return false }
        var remaining = a.count == address.bytes.count ? prefixLength : prefixLength - 96
        for i in 0..<a.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if a[i] & mask != b[i] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public func contains(_ other: CIDR) -> Bool {
        other.prefixLength >= prefixLength && other.address.bytes.count == address.bytes.count
            && contains(other.address)
    }
}
