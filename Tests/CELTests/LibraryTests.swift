import Testing

@testable import CEL

/// The extension libraries, through expressions (the conformance suite covers strings, math, encoders and
/// network in depth; these cover the rest and the Kubernetes libraries).
@Suite struct LibraryTests {
    @Test(arguments: [
        ("[1, 2, 3, 4].slice(1, 3)", "[2, 3]"), ("[[1, [2]], [3]].flatten()", "[1, [2], 3]"),
        ("[[1, [2]], [3]].flatten(2)", "[1, 2, 3]"), ("[1, 1u, 1.0, 2].distinct()", "[1, 2]"),
        ("[1, 2].reverse()", "[2, 1]"),
        ("lists.range(3)", "[0, 1, 2]"), ("[3, 1, 2].sort()", "[1, 2, 3]"),
        ("['bb', 'a'].sortBy(s, s.size())", "[\"a\", \"bb\"]"),
        ("[1, 2].first().value()", "1"), ("[].last().hasValue()", "false"), ("[1, 2, 2].isSorted()", "true"),
        ("[1, 2, 3].sum()", "6"), ("[1.5, 0.5].sum()", "2.0"), ("[3, 1].min()", "1"), ("[3, 1].max()", "3"),
        ("[1, 2, 1].indexOf(1)", "0"), ("[1, 2, 1].lastIndexOf(1)", "2"), ("sets.contains([1, 2], [dyn(2.0)])", "true"),
        ("sets.equivalent([1, 2], [2, 1, 1])", "true"), ("sets.intersects([1], [2])", "false"),
        ("base64.encode(b'hi')", "\"aGk=\""), ("base64.decode('aGk')", "b\"hi\""),
        ("'abc123def456'.find('[0-9]+')", "\"123\""), ("'abc'.find('x')", "\"\""),
        ("'a1b22'.findAll('[0-9]+')", "[\"1\", \"22\"]"), ("'a1b2c3'.findAll('[0-9]', 2)", "[\"1\", \"2\"]"),
        ("url('https://u@example.com:8443/a/b?x=1&x=2').getHostname()", "\"example.com\""),
        ("url('https://example.com:8443/a').getPort()", "\"8443\""), ("url('https://[::1]/').getHost()", "\"[::1]\""),
        ("url('/p%20q?a=b+c').getQuery()", "{\"a\": [\"b c\"]}"), ("url('/p%20q').getEscapedPath()", "\"/p%20q\""),
        ("isURL('https://example.com')", "true"), ("isURL('example.com')", "false"), ("isURL('http://x/%zz')", "false"),
        ("semver('1.2.3').major() + semver('1.2.3').minor() + semver('1.2.3').patch()", "6"),
        ("semver('1.0.0-alpha').isLessThan(semver('1.0.0-alpha.1'))", "true"),
        ("semver('1.0.0-beta.11').isGreaterThan(semver('1.0.0-beta.2'))", "true"),
        ("semver('1.0.0+build').compareTo(semver('1.0.0'))", "0"), ("isSemver('01.2.3')", "false"),
        ("semver('v1.2', true).patch()", "0"), ("isSemver('v1.2.3')", "false"),
        ("quantity('1.5Gi').asInteger()", "1610612736"), ("quantity('500m').isLessThan(quantity('1'))", "true"),
        ("quantity('1k').add(quantity('500')).asInteger()", "1500"), ("quantity('1').sub(3).sign()", "-1"),
        ("quantity('2e3').compareTo(quantity('2k'))", "0"),
        ("quantity('100Mi').isGreaterThan(quantity('100M'))", "true"),
        ("quantity('0.5').isInteger()", "false"), ("quantity('1.5').asApproximateFloat()", "1.5"),
        ("isQuantity('12Gx')", "false"), ("isQuantity('-1.5e-3')", "true"),
    ])
    func evaluates(_ source: String, _ expected: String) throws {
        let env = Environment(variables: [:])
        #expect(try env.compile(source).evaluate().description == expected, "\(source)")
    }

    @Test(arguments: [
        "[1, 'a'].sort()", "[1].slice(1, 0)", "lists.range(10000000)", "url('no scheme')", "semver('1.2')",
        "quantity('1Zi')", "quantity('1.5').asInteger()", "quantity('99999999999999999999').asInteger()",
        "'a'.find('(')", "[].min()", "base64.decode('!!')", "ip('1.2.3.04')", "cidr('10.0.0.0/33')",
    ])
    func failsWithAClearError(_ source: String) {
        #expect(throws: EvalError.self, "\(source)") { try Environment().compile(source, check: false).evaluate() }
    }
}
