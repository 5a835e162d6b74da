extension Library {
    /// `base64.encode(bytes) -> string` and `base64.decode(string) -> bytes` (standard alphabet; decoding also
    /// accepts input without padding, as cel-go does).
    public static let encoders = Library(
        "encoders",
        functions: [
            Function(
                "base64.encode",
                [
                    Overload("base64_encode_bytes", [.bytes], .string, cost: .linear(0.1)) { (v) throws(EvalError) in
                        guard case .bytes(let b) = v else { throw EvalError.noOverload("base64.encode", [v]) }
                        return .string(Base64.encode(b))
                    }
                ]),
            Function(
                "base64.decode",
                [
                    Overload("base64_decode_string", [.string], .bytes, cost: .linear(0.1)) { (v) throws(EvalError) in
                        guard case .string(let s) = v else { throw EvalError.noOverload("base64.decode", [v]) }
                        guard let b = Base64.decode(s) else {
                            throw EvalError(.invalidArgument, "base64.decode: illegal base64 data")
                        }
                        return .bytes(b)
                    }
                ]),
        ])
}

/// RFC 4648 base64 with the standard alphabet.
enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded or unpadded base64; `nil` on any other character or a bad length.
    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        var padding = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, let v = alphabet.firstIndex(of: c) else { return nil }
            values.append(UInt8(v))
        }
        guard values.count % 4 != 1, padding <= 2, padding == 0 || (values.count + padding) % 4 == 0 else {
            return nil
        }
        var out: [UInt8] = []
        var i = 0
        while i < values.count {
            let v0 = values[i]
            let v1 = i + 1 < values.count ? values[i + 1] : 0
            let v2 = i + 2 < values.count ? values[i + 2] : 0
            let v3 = i + 3 < values.count ? values[i + 3] : 0
            out.append(v0 << 2 | v1 >> 4)
            if i + 2 < values.count { out.append((v1 & 0x0F) << 4 | v2 >> 2) }
            if i + 3 < values.count { out.append((v2 & 0x03) << 6 | v3) }
            i += 4
        }
        return out
    }
}
