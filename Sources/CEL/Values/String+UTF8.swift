extension String {
    /// Code-point equality (byte equality of the UTF-8 encodings), without Swift's canonical-equivalence rules
    /// and without generic iteration: native strings compare their contiguous storage directly.
    @inline(__always)
    func utf8Equals(_ other: String) -> Bool {
        let n = utf8.count
        guard n == other.utf8.count else { return false }
        if let r = utf8.withContiguousStorageIfAvailable({ a in
            other.utf8.withContiguousStorageIfAvailable { b in String.bytesEqual(a, b, count: n) }
        }), let r {
            return r
        }
        return utf8.elementsEqual(other.utf8)
    }

    /// Whether the UTF-8 encoding of `prefix` starts this string's.
    @inline(__always)
    func utf8HasPrefix(_ prefix: String) -> Bool {
        let n = prefix.utf8.count
        guard n <= utf8.count else { return false }
        if let r = utf8.withContiguousStorageIfAvailable({ a in
            prefix.utf8.withContiguousStorageIfAvailable { b in String.bytesEqual(a, b, count: n) }
        }), let r {
            return r
        }
        return utf8.starts(with: prefix.utf8)
    }

    /// Whether the UTF-8 encoding of `suffix` ends this string's.
    @inline(__always)
    func utf8HasSuffix(_ suffix: String) -> Bool {
        let n = suffix.utf8.count
        let m = utf8.count
        guard n <= m else { return false }
        if let r = utf8.withContiguousStorageIfAvailable({ a in
            suffix.utf8.withContiguousStorageIfAvailable { b in
                String.bytesEqual(UnsafeBufferPointer(rebasing: a[(m - n)..<m]), b, count: n)
            }
        }), let r {
            return r
        }
        return utf8.reversed().starts(with: suffix.utf8.reversed())
    }

    /// Code-point order (UTF-8 byte order is the same order).
    @inline(__always)
    func utf8Precedes(_ other: String) -> Bool {
        if let r = utf8.withContiguousStorageIfAvailable({ a in
            other.utf8.withContiguousStorageIfAvailable { b in a.lexicographicallyPrecedes(b) }
        }), let r {
            return r
        }
        return utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// Compares the first `count` bytes of two buffers (both at least that long), eight bytes at a time.
    @inline(__always)
    static func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, count: Int) -> Bool {
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return count == 0 }
        let ra = UnsafeRawPointer(pa)
        let rb = UnsafeRawPointer(pb)
        var i = 0
        while i + 8 <= count {
            if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            {
                return false
            }
            i += 8
        }
        while i < count {
            if pa[i] != pb[i] { return false }
            i += 1
        }
        return true
    }
}
