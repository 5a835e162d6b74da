internal import Foundation

/// One canonical form for the names policy compares — services, environments, change kinds, labels — so that a
/// request cannot step around a rule by spelling a name another way: `Payments` is the service a freeze written for
/// `payments` covers, and a label `One-Way` (or `ｏｎｅ-ｗａｙ` in fullwidth letters) is the label `one-way`.
///
/// The form: Unicode compatibility normalisation (NFKC: fullwidth and other compatibility forms to their plain
/// letters, composed accents), then lowercase. ASCII without capitals — nearly every name — is returned as it is,
/// without the cost of normalising.
public enum Names {
    public static func canonical(_ name: String) -> String {
        if name.utf8.allSatisfy({ $0 < 0x80 && !(0x41...0x5A).contains($0) }) { return name }
        return name.precomposedStringWithCompatibilityMapping.lowercased()
    }
}

extension Names {
    /// Whether a canonical name is made only of what names are made of: lowercase letters, digits and `. _ - / :`.
    /// Anything else — a zero-width space, a control character, a letter of another script that looks like a Latin
    /// one — would make a name that reads like a known one and matches none, so it is refused.
    public static func isSafe(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { b in
                (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == 0x2E || b == 0x5F || b == 0x2D
                    || b == 0x2F || b == 0x3A
            }
    }
}

extension Names {
    /// Why a name is refused, the same words from the gate and the server.
    public static func refusal(_ field: String, _ name: String) -> String {
        "\(field) '\(name)' has characters a name may not have (a-z, 0-9 and . _ - / : only)"
    }
}

extension Names {
    /// Whether a canonical identity name or alias is visible ASCII without spaces — logins, emails, `bot[bot]`.
    /// A zero-width space, a control character or a letter of another script would make a name that reads like a
    /// known person and is nobody.
    public static func isIdentitySafe(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }
}

extension Names {
    /// The GitHub login a GitHub noreply address stands for (`12345678+alice@users.noreply.github.com` or the older
    /// `alice@users.noreply.github.com` are alice's; `41898282+github-actions[bot]@…` is the bot's), in canonical
    /// form, or `nil` for any other address. GitHub writes these as the author and committer of web edits, merges and
    /// commits of people who keep their email private: an author known only by one must still be excluded.
    public static func gitHubLogin(noreply address: String) -> String? {
        let suffix = "@users.noreply.github.com"
        let folded = canonical(address)
        guard folded.hasSuffix(suffix) else { return nil }
        var local = folded.dropLast(suffix.count)
        if let plus = local.firstIndex(of: "+"), local[..<plus].allSatisfy(\.isASCII),
            local[..<plus].allSatisfy(\.isNumber)
        {
            local = local[local.index(after: plus)...]
        }
        let login = local.hasSuffix("[bot]") ? local.dropLast(5) : local
        // GitHub logins: letters, digits and single hyphens, up to 39 characters.
        guard !login.isEmpty, login.count <= 39,
            login.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D })
        else { return nil }
        return String(local)
    }
}

extension DeployRequest {
    /// The names policy compares that are not safe (``Names/isSafe(_:)``), by field, in their canonical form.
    public var unsafeNames: [(field: String, name: String)] {
        let r = canonicalNames
        var unsafe: [(field: String, name: String)] = []
        for (field, name) in [("service", r.service), ("environment", r.environment), ("change.kind", r.change.kind)]
        where !Names.isSafe(name) {
            unsafe.append((field, name))
        }
        for label in r.change.labels where !Names.isSafe(label) { unsafe.append(("change.labels", label)) }
        return unsafe
    }

    /// Whether every name policy compares is safe, without building anything (the gate asks on every decision).
    public var namesAreSafe: Bool {
        Names.isSafe(service) && Names.isSafe(environment) && Names.isSafe(change.kind)
            && change.labels.allSatisfy(Names.isSafe)
    }

    /// The request with the names policy compares in their canonical form (``Names``): service, environment,
    /// change kind and labels. The gate decides on this form, and the server records it.
    public var canonicalNames: DeployRequest {
        // Nearly every request is canonical already: answered without a copy.
        if Names.canonical(service) == service, Names.canonical(environment) == environment,
            Names.canonical(change.kind) == change.kind, change.labels.allSatisfy({ Names.canonical($0) == $0 })
        {
            return self
        }
        var r = self
        r.service = Names.canonical(service)
        r.environment = Names.canonical(environment)
        r.change.kind = Names.canonical(change.kind)
        r.change.labels = change.labels.map(Names.canonical)
        return r
    }
}
