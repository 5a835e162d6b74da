/// A set of code points: ranges, Perl classes (`\d \w \s`), POSIX classes (`[:alpha:]`) and Unicode general
/// categories (`\pL`, `\p{Lu}`), possibly negated and case-folded.
struct CharacterClass: Sendable {
    enum Item: Sendable {
        case range(UInt32, UInt32)
        case perl(Unicode.Scalar)
        case posix(String, negated: Bool)
        case category(String, negated: Bool)
    }

    let items: [Item]
    let negated: Bool
    let fold: Bool

    func matches(_ c: Unicode.Scalar) -> Bool {
        var hit = contains(c)
        if !hit && fold {
            for variant in CharacterClass.caseVariants(c) where contains(variant) {
                hit = true
                break
            }
        }
        return hit != negated
    }

    private func contains(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        for item in items {
            switch item {
            case .range(let lo, let hi): if v >= lo && v <= hi { return true }
            case .perl(let p): if CharacterClass.perl(p, c) { return true }
            case .posix(let name, let neg): if CharacterClass.posix(name, c) != neg { return true }
            case .category(let name, let neg): if CharacterClass.category(name, c) != neg { return true }
            }
        }
        return false
    }

    /// Simple case variants of a scalar (the single-scalar lower and upper case mappings).
    static func caseVariants(_ c: Unicode.Scalar) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        let lower = c.properties.lowercaseMapping.unicodeScalars
        let upper = c.properties.uppercaseMapping.unicodeScalars
        if lower.count == 1, let l = lower.first, l != c { out.append(l) }
        if upper.count == 1, let u = upper.first, u != c { out.append(u) }
        return out
    }

    static func isWord(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_"
    }

    static func perl(_ p: Unicode.Scalar, _ c: Unicode.Scalar) -> Bool {
        switch p {
        case "d": return ("0"..."9").contains(c)
        case "D": return !("0"..."9").contains(c)
        case "w": return isWord(c)
        case "W": return !isWord(c)
        case "s": return c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" || c == "\u{0B}"
        case "S": return !(c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" || c == "\u{0B}")
        default: return false
        }
    }

    static let posixNames: Set<String> = [
        "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper",
        "word", "xdigit",
    ]

    static func isKnownPOSIX(_ name: String) -> Bool { posixNames.contains(name) }

    static func posix(_ name: String, _ c: Unicode.Scalar) -> Bool {
        let v = c.value
        switch name {
        case "alnum": return isWord(c) && c != "_"
        case "alpha": return ("a"..."z").contains(c) || ("A"..."Z").contains(c)
        case "ascii": return v < 0x80
        case "blank": return c == " " || c == "\t"
        case "cntrl": return v < 0x20 || v == 0x7F
        case "digit": return ("0"..."9").contains(c)
        case "graph": return v > 0x20 && v < 0x7F
        case "lower": return ("a"..."z").contains(c)
        case "print": return v >= 0x20 && v < 0x7F
        case "punct": return v > 0x20 && v < 0x7F && !isWord(c) || c == "_"
        case "space": return c == " " || (v >= 0x09 && v <= 0x0D)
        case "upper": return ("A"..."Z").contains(c)
        case "word": return isWord(c)
        case "xdigit": return c.hexValue != nil
        default: return false
        }
    }

    static func isKnownCategory(_ name: String) -> Bool {
        name == "Any" || categoryCodes[name] != nil || ["L", "M", "N", "P", "S", "Z", "C"].contains(name)
    }

    static let categoryCodes: [String: Unicode.GeneralCategory] = [
        "Lu": .uppercaseLetter, "Ll": .lowercaseLetter, "Lt": .titlecaseLetter, "Lm": .modifierLetter,
        "Lo": .otherLetter, "Mn": .nonspacingMark, "Mc": .spacingMark, "Me": .enclosingMark, "Nd": .decimalNumber,
        "Nl": .letterNumber, "No": .otherNumber, "Pc": .connectorPunctuation, "Pd": .dashPunctuation,
        "Ps": .openPunctuation, "Pe": .closePunctuation, "Pi": .initialPunctuation, "Pf": .finalPunctuation,
        "Po": .otherPunctuation, "Sm": .mathSymbol, "Sc": .currencySymbol, "Sk": .modifierSymbol, "So": .otherSymbol,
        "Zs": .spaceSeparator, "Zl": .lineSeparator, "Zp": .paragraphSeparator, "Cc": .control, "Cf": .format,
        "Cs": .surrogate, "Co": .privateUse, "Cn": .unassigned,
    ]

    static func category(_ name: String, _ c: Unicode.Scalar) -> Bool {
        if name == "Any" { return true }
        let gc = c.properties.generalCategory
        if let exact = categoryCodes[name] { return gc == exact }
        return categoryCodes.contains { $0.key.hasPrefix(name) && $0.value == gc }
    }
}
