// The RDF reader: every construct of Turtle, TriG, N-Triples and N-Quads with the exact
// statements expected, W3C-style corner cases, IRI resolution (RFC 3986's examples), the place
// and wording of errors, deep nesting, and inputs cut or mangled anywhere (never a crash).

import Diagnostics
import GraphImport
import GraphModel
import TestSupport
import Testing

private let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
private let xsd = "http://www.w3.org/2001/XMLSchema#"

/// A term in N-Quads form, with `http://e/` shown as `:`, and `rdf:` and `xsd:` abbreviated.
private func show(_ term: RDFTerm) -> String {
  func name(_ iri: String) -> String {
    for (prefix, namespace) in [("", "http://e/"), ("rdf", rdf), ("xsd", xsd)] where iri.hasPrefix(namespace) {
      return prefix + ":" + iri.dropFirst(namespace.count)
    }
    return "<" + iri + ">"
  }
  switch term {
  case .iri(let iri): return name(iri)
  case .blank(let label): return "_:" + label
  case .literal(let text, let language, let datatype):
    return LiteralSyntax.quote(text, with: "\"") { _ in false } + (language.map { "@" + $0 } ?? "") + (datatype.map { "^^" + name($0) } ?? "")
  }
}

/// A statement as `s p o` or `s p o g`.
private func show(_ quad: RDFQuad) -> String {
  [quad.subject, quad.predicate, quad.object].map(show).joined(separator: " ") + (quad.graph.map { " " + show($0) } ?? "")
}

private func quads(_ text: String, _ syntax: RDFReader.Syntax = .turtle, base: String? = nil) throws -> [RDFQuad] {
  var out: [RDFQuad] = []
  try RDFReader(syntax: syntax, name: "data", baseIRI: base).read(Array(text.utf8)) { out.append($0) }
  return out
}

/// The statements of a document, shown.
private func read(_ text: String, _ syntax: RDFReader.Syntax = .turtle, base: String? = nil) throws -> [String] {
  try quads(text, syntax, base: base).map(show)
}

/// The error a document gives: its place `line:column`, message and help.
private struct Failure {
  var place: String
  var message: String
  var help: String?
}

private func failure(_ bytes: [UInt8], _ syntax: RDFReader.Syntax = .turtle) -> Failure? {
  do {
    try RDFReader(syntax: syntax, name: "data.ttl").read(bytes) { _ in }
    return nil
  } catch let error as DiagnosticError {
    let d = error.diagnostics[0]
    #expect(d.code == "rdf-syntax")
    #expect(error.category == .data && error.category.exitStatus == 65)
    #expect(d.help != nil)
    #expect(d.location?.file == "data.ttl")
    return Failure(place: d.location.map { "\($0.line):\($0.column)" } ?? "?", message: d.message, help: d.help)
  } catch {
    Issue.record("unexpected error \(error)")
    return nil
  }
}

private func failure(_ text: String, _ syntax: RDFReader.Syntax = .turtle) -> Failure? {
  failure(Array(text.utf8), syntax)
}

private let prefixes = "@prefix : <http://e/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"

@Suite struct RDFReaderTests {
  // MARK: directives and IRIs

  @Test func directivesInBothStyles() throws {
    let text = """
      @prefix : <http://e/> .
      @prefix ex: <http://example.org/ns#> .
      PREFIX dc: <http://purl.org/dc/terms/>
      prefix lower: <http://lower/>
      @base <http://b/dir/> .
      :s ex:p dc:title .
      <x> lower:q <> .
      BASE <http://c/>
      <y> :p <#f> .
      @prefix rel: <sub/> .
      rel:a :p :o .
      @prefix : <http://e2/> .
      :s :p :o .
      """
    #expect(
      try read(text) == [
        ":s <http://example.org/ns#p> <http://purl.org/dc/terms/title>",
        "<http://b/dir/x> <http://lower/q> <http://b/dir/>",
        "<http://c/y> :p <http://c/#f>",
        "<http://c/sub/a> :p :o",
        "<http://e2/s> <http://e2/p> <http://e2/o>",
      ])
  }

  /// RFC 3986 section 5.4: the normal and abnormal examples against `http://a/b/c/d;p?q`.
  @Test(arguments: [
    ("g:h", "g:h"), ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"),
    ("/g", "http://a/g"), ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"),
    ("#s", "http://a/b/c/d;p?q#s"), ("g#s", "http://a/b/c/g#s"), ("g?y#s", "http://a/b/c/g?y#s"),
    (";x", "http://a/b/c/;x"), ("g;x", "http://a/b/c/g;x"), ("g;x?y#s", "http://a/b/c/g;x?y#s"),
    ("", "http://a/b/c/d;p?q"), (".", "http://a/b/c/"), ("./", "http://a/b/c/"), ("..", "http://a/b/"),
    ("../", "http://a/b/"), ("../g", "http://a/b/g"), ("../..", "http://a/"), ("../../", "http://a/"),
    ("../../g", "http://a/g"), ("../../../g", "http://a/g"), ("../../../../g", "http://a/g"),
    ("/./g", "http://a/g"), ("/../g", "http://a/g"), ("g.", "http://a/b/c/g."), (".g", "http://a/b/c/.g"),
    ("g..", "http://a/b/c/g.."), ("..g", "http://a/b/c/..g"), ("./../g", "http://a/b/g"),
    ("./g/.", "http://a/b/c/g/"), ("g/./h", "http://a/b/c/g/h"), ("g/../h", "http://a/b/c/h"),
    ("g;x=1/./y", "http://a/b/c/g;x=1/y"), ("g;x=1/../y", "http://a/b/c/y"), ("g?y/./x", "http://a/b/c/g?y/./x"),
    ("g?y/../x", "http://a/b/c/g?y/../x"), ("g#s/./x", "http://a/b/c/g#s/./x"), ("g#s/../x", "http://a/b/c/g#s/../x"),
  ])
  func relativeIRIsResolveAsRFC3986Says(reference: String, expected: String) throws {
    let viaBase = try quads("<http://e/s> <http://e/p> <\(reference)> .", base: "http://a/b/c/d;p?q")
    #expect(viaBase.map(\.object) == [.iri(expected)])
    let viaDirective = try quads("@base <http://a/b/c/d;p?q> .\n<http://e/s> <http://e/p> <\(reference)> .", base: "http://ignored/")
    #expect(viaDirective.map(\.object) == [.iri(expected)])
  }

  @Test func relativeIRIsOfTheBrief() throws {
    let text = "<s> <#frag> <../x> . <?q> <//host/p> <> ."
    #expect(
      try read(text, base: "http://h/a/b") == [
        "<http://h/a/s> <http://h/a/b#frag> <http://h/x>",
        "<http://h/a/b?q> <http://host/p> <http://h/a/b>",
      ])
    // A base with an authority and no path; relative bases resolve against the previous base.
    #expect(try read("<g> <h> <i> .", base: "http://a") == ["<http://a/g> <http://a/h> <http://a/i>"])
    #expect(try read("@base <http://a/b/> . @base <c/> . <d> <e> <../f> .") == ["<http://a/b/c/d> <http://a/b/c/e> <http://a/b/f>"])
    // IRIs with escapes; absolute IRIs are kept as written.
    #expect(try read("<http://e/\\u00E9> <http://e/\\U0001F600> <http://x/./y/../z> .") == [":é :😀 <http://x/./y/../z>"])
  }

  @Test func relativeIRIWithoutBaseIsAnError() throws {
    let f = failure("@prefix : <http://e/> .\n:s :p <x> .")
    #expect(f?.place == "2:7")
    #expect(f?.message == "cannot resolve the relative IRI `<x>`: there is no base IRI")
    #expect(failure("@base <rel/> .")?.place == "1:7")
    #expect(throws: DiagnosticError.self) { try quads("<a> <b> <c> .", base: "not/absolute") }
  }

  // MARK: names

  @Test func prefixedNames() throws {
    let text = """
      @prefix : <http://e/> .
      @prefix 中文: <http://zh/> .
      @prefix p.q: <http://pq/> .
      @prefix a: <http://A/> .
      :a:b :p 中文:名字 .
      :s :p :x%20y, :a\\.b\\-c\\~d\\,\\%, :end.
      :s :p :1x, :_u, p.q:x.y, : .
      :s :p a:b.c:d .
      a:a a a: .
      """
    #expect(
      try read(text) == [
        ":a:b :p <http://zh/名字>",
        ":s :p :x%20y", ":s :p :a.b-c~d,%", ":s :p :end",
        ":s :p :1x", ":s :p :_u", ":s :p <http://pq/x.y>", ":s :p :",
        ":s :p <http://A/b.c:d>",
        "<http://A/a> rdf:type <http://A/>",
      ])
  }

  // MARK: statements

  @Test func predicateAndObjectLists() throws {
    let text = prefixes + """
      :s :p :o1, :o2 ; :q :o3 ;; ; :r :o4 ; .
      :t a :C ; .
      [ :p :o ; ] .
      """
    #expect(
      try read(text) == [
        ":s :p :o1", ":s :p :o2", ":s :q :o3", ":s :r :o4", ":t rdf:type :C", "_:genid0 :p :o",
      ])
  }

  @Test func blankNodes() throws {
    let text = prefixes + """
      _:x :p _:y .
      _:y :p _:x .
      _:genid0 :p [] .
      [] :p [ :q :o ; :r [ :s :t ] ] .
      [ :a :b ] :c :d .
      [ :only :one ] .
      _:genid0_ :p _:b.c .
      """
    #expect(
      try read(text) == [
        "_:x :p _:y", "_:y :p _:x",
        "_:genid0_ :p _:genid0",
        "_:genid1 :p _:genid2", "_:genid2 :q :o", "_:genid2 :r _:genid3", "_:genid3 :s :t",
        "_:genid4 :a :b", "_:genid4 :c :d",
        "_:genid5 :only :one",
        "_:genid0__ :p _:b.c",
      ])
  }

  @Test func collections() throws {
    let text = prefixes + """
      :s :p () .
      :s :p (1) .
      :s :p (:a (:b) [ :q :r ]) .
      (:x :y) :p :o .
      () :p :o .
      """
    #expect(
      try read(text) == [
        ":s :p rdf:nil",
        ":s :p _:genid0", "_:genid0 rdf:first \"1\"^^xsd:integer", "_:genid0 rdf:rest rdf:nil",
        ":s :p _:genid1", "_:genid1 rdf:first :a", "_:genid1 rdf:rest _:genid2", "_:genid2 rdf:first _:genid3",
        "_:genid3 rdf:first :b", "_:genid3 rdf:rest rdf:nil", "_:genid2 rdf:rest _:genid4",
        "_:genid4 rdf:first _:genid5", "_:genid5 :q :r", "_:genid4 rdf:rest rdf:nil",
        "_:genid6 rdf:first :x", "_:genid6 rdf:rest _:genid7", "_:genid7 rdf:first :y", "_:genid7 rdf:rest rdf:nil",
        "_:genid6 :p :o",
        "rdf:nil :p :o",
      ])
  }

  // MARK: literals

  @Test func stringsInAllFourQuoteStyles() throws {
    let text = prefixes + #"""
      :s :p "dq", 'sq', """long "with" ""quotes"" inside""", '''multi
      line 'x' ''y'' ''' .
      :s :p "tab\tnl\nq\"a\'b\\", '\u00E9\U0001F600', "\b\f\r" .
      :s :p "", '', """""", '''''', """a""b""", """ends with "".""" .
      :s :p "# not a comment" . # a comment
      """#
    #expect(
      try read(text) == [
        #":s :p "dq""#, #":s :p "sq""#, #":s :p "long \"with\" \"\"quotes\"\" inside""#,
        #":s :p "multi\nline 'x' ''y'' ""#,
        #":s :p "tab\tnl\nq\"a'b\\""#, #":s :p "é😀""#, ":s :p \"\u{8}\u{C}\\r\"",
        #":s :p """#, #":s :p """#, #":s :p """#, #":s :p """#, #":s :p "a\"\"b""#, #":s :p "ends with \"\".""#,
        ##":s :p "# not a comment""##,
      ])
  }

  @Test func languageTagsAndDatatypes() throws {
    let text = prefixes + """
      :s :p "chat"@fr, "colour"@en-GB, "x"@EN, "y"@zh-Hans-CN .
      :s :p "1"^^xsd:integer, "2"^^<http://www.w3.org/2001/XMLSchema#int>, "s"^^xsd:string, 'o'^^:t .
      """
    #expect(
      try read(text) == [
        #":s :p "chat"@fr"#, #":s :p "colour"@en-gb"#, #":s :p "x"@en"#, #":s :p "y"@zh-hans-cn"#,
        #":s :p "1"^^xsd:integer"#, #":s :p "2"^^xsd:int"#, #":s :p "s""#, #":s :p "o"^^:t"#,
      ])
    #expect(try quads(prefixes + ":s :p \"x\"@EN-gb .").first?.object == .literal("x", language: "en-gb", datatype: nil))
  }

  @Test func numbersAndBooleans() throws {
    let text = prefixes + """
      :s :p 1, +1, -5, 007, 1.5, -.5, .5, +2.0, 1e10, 1.5E-3, 1.e5, -0.0e+0, .5e1, true, false .
      :s :q 1.
      :s :r 2.5.
      :s :t -3 .
      """
    let i = "^^xsd:integer", d = "^^xsd:decimal", e = "^^xsd:double", b = "^^xsd:boolean"
    #expect(
      try read(text) == [
        ":s :p \"1\"\(i)", ":s :p \"+1\"\(i)", ":s :p \"-5\"\(i)", ":s :p \"007\"\(i)", ":s :p \"1.5\"\(d)",
        ":s :p \"-.5\"\(d)", ":s :p \".5\"\(d)", ":s :p \"+2.0\"\(d)", ":s :p \"1e10\"\(e)", ":s :p \"1.5E-3\"\(e)",
        ":s :p \"1.e5\"\(e)", ":s :p \"-0.0e+0\"\(e)", ":s :p \".5e1\"\(e)", ":s :p \"true\"\(b)", ":s :p \"false\"\(b)",
        ":s :q \"1\"\(i)", ":s :r \"2.5\"\(d)", ":s :t \"-3\"\(i)",
      ])
  }

  @Test func commentsByteOrderMarkAndLineEnds() throws {
    let text = "\u{FEFF}@prefix : <http://e/> . # comment\r\n:s # c\r\n :p\t:o # c\n. #end"
    #expect(try read(text) == [":s :p :o"])
    #expect(try read("") == [])
    #expect(try read("# only a comment") == [])
    let positioned = try quads("\u{FEFF}<http://e/s> <http://e/p> <http://e/o> .", .ntriples)
    #expect(positioned.map { "\($0.line):\($0.column)" } == ["1:1"])
  }

  @Test func statementPositionsCountCharacters() throws {
    let text = """
      @prefix 名: <http://zh/> .
      名:甲 名:乙 名:丙 . 名:丁 名:乙 [ 名:戊 名:己 ] .
        名:庚 名:乙 ( 名:辛 ) .
      """
    let got = try quads(text).map { "\($0.line):\($0.column)" }
    #expect(got == ["2:1", "2:15", "2:23", "3:3", "3:13", "3:13"])
  }

  // MARK: TriG

  @Test func trigGraphsInAllForms() throws {
    let text = """
      @prefix : <http://e/> .
      :a :b :c .
      GRAPH :g1 { :s :p :o . :s :q :r }
      :g2 { :s :p :o2 . }
      graph <http://e/g3> { }
      { :d :e :f . :d :e :h }
      _:gb { :s :p _:gb }
      [] { :s :p :o }
      GRAPH [] { [ :x :y ] :p ( :z ) . }
      :t :u :v .
      PREFIX q: <http://q/>
      q:g { q:s q:p q:o }
      """
    #expect(
      try read(text, .trig) == [
        ":a :b :c",
        ":s :p :o :g1", ":s :q :r :g1",
        ":s :p :o2 :g2",
        ":d :e :f", ":d :e :h",
        ":s :p _:gb _:gb",
        ":s :p :o _:genid0",
        "_:genid2 :x :y _:genid1", "_:genid2 :p _:genid3 _:genid1", "_:genid3 rdf:first :z _:genid1",
        "_:genid3 rdf:rest rdf:nil _:genid1",
        ":t :u :v",
        "<http://q/s> <http://q/p> <http://q/o> <http://q/g>",
      ])
  }

  // MARK: N-Triples and N-Quads

  @Test func nTriples() throws {
    let text = """
      <http://e/s> <http://e/p> <http://e/o> .
      _:b1 <http://e/p> "lit" .
      <http://e/s>\t<http://e/p> "chat"@FR . # comment
        # comment line

      <http://e/s> <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer>.
      _:genid1 <http://e/p> "esc\\"\\u00E9\\n\\t'" .
      _:a.b <http://e/\\u00E9> "s"^^<http://www.w3.org/2001/XMLSchema#string> .
      """
    #expect(
      try read(text, .ntriples) == [
        ":s :p :o", #"_:b1 :p "lit""#, #":s :p "chat"@fr"#, #":s :p "1"^^xsd:integer"#,
        #"_:genid1 :p "esc\"é\n\t'""#, #"_:a.b :é "s""#,
      ])
    #expect(try quads(text, .ntriples).map(\.line) == [1, 2, 3, 6, 7, 8])
  }

  @Test func nQuadsWithAndWithoutGraph() throws {
    let text = """
      <http://e/s> <http://e/p> <http://e/o> <http://e/g> .
      <http://e/s> <http://e/p> <http://e/o> .
      _:a <http://e/p> "x"@en _:g .
      <http://e/s> <http://e/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <http://e/g>.\r
      """
    #expect(
      try read(text, .nquads) == [
        ":s :p :o :g", ":s :p :o", #"_:a :p "x"@en _:g"#, #":s :p "1"^^xsd:integer :g"#,
      ])
  }

  // MARK: errors

  @Test func errorsPointAtTheOffendingToken() throws {
    let p = "@prefix : <http://e/> .\n"
    let cases: [(String, RDFReader.Syntax, String, String)] = [
      (p + ":s :p :o ] .", .turtle, "2:10", "expected `.` after the statement, found `]`"),
      (p + ":s :p ex:o .", .turtle, "2:7", "undefined prefix `ex:`"),
      (p + ":s :p \"abc .\n:t :p :o .", .turtle, "2:7", "unterminated string: a line break before the closing \""),
      (p + ":s :p :o", .turtle, "2:9", "expected `.` after the statement, found the end of the file"),
      (p + "\"x\" :p :o .", .turtle, "2:1", "expected a subject (an IRI, a prefixed name, a blank node, `[` or `(`), found `\"x\"`"),
      (p + ":s :p [ :q :o .", .turtle, "2:15", "expected `]` to close the `[` at 2:7, found `.`"),
      (p + ":s :p (1 2 .", .turtle, "2:12", "expected an object or `)` to close the list opened at 2:7, found `.`"),
      (p + ":s :p \"a\\qb\" .", .turtle, "2:9", "invalid escape `\\q` in a string"),
      ("<http://e/a b> <http://e/p> <http://e/o> .", .turtle, "1:12", "a space is not allowed in an IRI"),
      (p + ":s ; :p :o .", .turtle, "2:4", "expected a predicate (an IRI, a prefixed name or `a`), found `;`"),
      (p + ":s :p maybe .", .turtle, "2:7", "expected an object (an IRI, a prefixed name, a blank node, a literal, `[` or `(`), found `maybe`"),
      ("@prefix : <http://e/>\n:s :p :o .", .turtle, "2:1", "expected `.` after the `@prefix` directive, found `:s`"),
      (p + ":s :p \"\\uD800\" .", .turtle, "2:8", "the escape `\\uD800` is not a Unicode character"),
      (p + ":s :p \"x\" ; :q 1. , 2 .", .turtle, "2:19", "expected a subject (an IRI, a prefixed name, a blank node, `[` or `(`), found `,`"),
      (p + ":g { :s :p :o }", .turtle, "2:4", "expected a predicate (an IRI, a prefixed name or `a`), found `{`"),
      ("@prefix 名: <http://zh/> .\n名:甲 名:乙 \"x\" \"y\" .", .turtle, "2:13", "expected `.` after the statement, found `\"y\"`"),
      ("<http://e/s> <p> <http://e/o> .", .ntriples, "1:14", "N-Triples needs absolute IRIs, found the relative IRI `<p>`"),
      ("<http://e/s> ex:p <http://e/o> .", .ntriples, "1:14", "expected a predicate (an IRI `<…>`), found `ex:p`"),
      ("<http://e/s> <http://e/p> <http://e/o> <http://e/g> .", .ntriples, "1:40", "expected `.` after the object, found `<http://e/g>`"),
      ("<http://e/s> <http://e/p> <http://e/o> . <http://e/s> <http://e/p> <http://e/o> .", .nquads, "1:42", "expected the end of the line after `.`, found `<http://e/s>`"),
      ("<http://e/s> <http://e/p>\n<http://e/o> .", .nquads, "1:26", "expected an object (an IRI `<…>`, a blank node `_:b` or a literal `\"…\"`), found the end of the line"),
      ("<http://e/s> <http://e/p> 'x' .", .nquads, "1:27", "expected an object (an IRI `<…>`, a blank node `_:b` or a literal `\"…\"`), found `'x'`"),
      ("@prefix : <http://e/> .\n{ { } }", .trig, "2:3", "expected a statement or `}`, found `{`"),
      ("@prefix : <http://e/> .\n:g {\n :s :p :o .", .trig, "3:12", "expected `}` to close the graph opened at 2:4, found the end of the file"),
      ("@prefix : <http://e/> .\n:g { :s :p :o :x }", .trig, "2:15", "expected `.` or `}` after the statement, found `:x`"),
      ("@prefix : <http://e/> .\n{ @prefix x: <http://x/> . }", .trig, "2:3", "expected a statement or `}`, found `@prefix`"),
      ("@prefix : <http://e/> .\n:s :p :o .\n}", .trig, "3:1", "expected a subject (an IRI, a prefixed name, a blank node, `[` or `(`), found `}`"),
      ("@prefix : <http://e/> .\n:s :p :o ..", .turtle, "2:11", "expected a subject (an IRI, a prefixed name, a blank node, `[` or `(`), found `.`"),
      ("@prefix : <http://e/> .\n:s :p \"\"\"never closed", .turtle, "2:7", "unterminated string: no closing \"\"\" before the end of the file"),
      ("@prefix : <http://e/> .\n:s :p :a%2 .", .turtle, "2:9", "`%` in a local name must be followed by two hexadecimal digits"),
      ("@prefix : <http://e/> .\n:s :p \"x\"^^ .", .turtle, "2:13", "expected a datatype (an IRI or a prefixed name) after `^^`, found `.`"),
      ("@prefix : <http://e/> .\n:s :p _: .", .turtle, "2:7", "expected a label after `_:`"),
      ("@prefix : <http://e/> .\n:s :p + .", .turtle, "2:7", "expected a number after `+`"),
      ("@prefix : <http://e/> .\n:s :p :o ! .", .turtle, "2:10", "unexpected character `!`"),
      ("@prefix : <http://e/> .\n:s :p \"a\"@en- .", .turtle, "2:10", "incomplete language tag `@en-`"),
      ("<http://e/s> <http://e/p> <http://e/o> \"g\" .", .nquads, "1:40", "expected a graph name or `.` after the object, found `\"g\"`"),
    ]
    for (text, syntax, place, message) in cases {
      let f = failure(text, syntax)
      #expect(f?.place == place, "\(text)")
      #expect(f?.message == message, "\(text)")
    }
  }

  @Test func errorHelpSaysWhatToDo() throws {
    #expect(failure("@prefix : <http://e/> .\n:s :p ex:o .")?.help == "declare it before its first use: `@prefix ex: <http://example.org/> .`")
    #expect(failure("@prefix : <http://e/> .\n:g { :s :p :o }")?.help?.contains("TriG") == true)
    #expect(failure("<http://e/s> <http://e/p> <http://e/o> <http://e/g> .", .ntriples)?.help?.contains("N-Quads") == true)
  }

  @Test func invalidUTF8IsAnErrorWithItsPlace() throws {
    var bytes = Array("<http://e/s> <http://e/p> \"a".utf8)
    bytes += [0xFF] + Array("b\" .".utf8)
    for syntax in RDFReader.Syntax.allCases {
      let f = failure(bytes, syntax)
      #expect(f?.place == "1:29")
      #expect(f?.message == "invalid UTF-8: byte 0xFF does not belong here")
    }
    // Nothing is handed over before the check: invalid UTF-8 at the end stops the whole read.
    var seen = 0
    let late = Array("<http://e/s> <http://e/p> <http://e/o> .\n# \u{E9}".utf8).dropLast()
    #expect(throws: DiagnosticError.self) { try RDFReader(syntax: .nquads, name: "x").read(Array(late)) { _ in seen += 1 } }
    #expect(seen == 0)
    // An overlong encoding and a surrogate are not UTF-8 either.
    #expect(failure([0x3C, 0xC0, 0x80, 0x3E])?.place == "1:2")
    #expect(failure([0x22, 0xED, 0xA0, 0x80, 0x22])?.place == "1:2")
  }

  @Test func errorsFromTheBodyPassThroughUnchanged() throws {
    struct Stop: Error {}
    var count = 0
    #expect(throws: Stop.self) {
      try RDFReader(syntax: .turtle, name: "x").read(Array("<http://e/s> <http://e/p> <http://e/o>, <http://e/o2> .".utf8)) { _ in
        count += 1
        throw Stop()
      }
    }
    #expect(count == 1)
  }

  // MARK: nesting and robustness

  @Test func deepNestingNeverOverflowsTheStack() throws {
    let depth = 100_000
    let p = "@prefix : <http://e/> .\n"
    // Unclosed: an error at the end of the file, not a crash.
    let open = p + ":s :p " + String(repeating: "[ :p ", count: depth)
    #expect(failure(open)?.message == "expected an object (an IRI, a prefixed name, a blank node, a literal, `[` or `(`), found the end of the file")
    #expect(failure(p + ":s :p " + String(repeating: "[", count: depth))?.place == "2:8")
    // Closed: every level gives one statement.
    let closed = p + ":s :p " + String(repeating: "[ :p ", count: depth) + ":o " + String(repeating: "] ", count: depth) + "."
    var count = 0
    var last: RDFQuad? = nil
    try RDFReader(syntax: .turtle, name: "deep").read(Array(closed.utf8)) { count += 1; last = $0 }
    #expect(count == depth + 1)
    #expect(last.map(show) == "_:genid\(depth - 1) :p :o")
    // Collections: `( ( ( … ) ) )` with the innermost empty.
    let lists = p + ":s :p " + String(repeating: "( ", count: depth) + String(repeating: ")", count: depth) + " ."
    count = 0
    try RDFReader(syntax: .turtle, name: "deep").read(Array(lists.utf8)) { _ in count += 1 }
    #expect(count == 2 * depth - 1)
    let unclosedLists = p + ":s :p " + String(repeating: "( ", count: depth)
    #expect(failure(unclosedLists)?.message.hasPrefix("expected an object or `)` to close the list opened at 2:") == true)
    // TriG subjects nest the same way inside a graph.
    let trig = p + ":g { " + String(repeating: "[ :p ", count: depth) + ":o " + String(repeating: "] ", count: depth) + "}"
    count = 0
    try RDFReader(syntax: .trig, name: "deep").read(Array(trig.utf8)) { _ in count += 1 }
    #expect(count == depth)
  }

  static let trickyDocument = #"""
    @prefix : <http://e/> . PREFIX 名: <http://zh/>
    @base <http://b/a/> .
    # comment
    :s :p "x"@en-GB, 'y'^^:t, """l\u00E9
    "" ""\"""", '''\U0001F600''', 1, -.5, 1e3, true ; :q [ :r ( 1 [] ( ) ) ] ;; .
    名:甲 a :C . <../r> <#f> _:b . :a\.b :c:d :e.
    GRAPH :g { :s :p :o } { [] :p _:genid0 }
    <http://e/s> <http://e/p> <http://e/o> .
    """#

  @Test func everyTruncationReadsOrFailsCleanly() throws {
    let bytes = Array(RDFReaderTests.trickyDocument.utf8)
    for syntax in RDFReader.Syntax.allCases {
      for end in 0...bytes.count {
        do {
          try RDFReader(syntax: syntax, name: "cut").read(Array(bytes[0..<end])) { _ in }
        } catch let error as DiagnosticError {
          #expect(error.diagnostics.first?.code == "rdf-syntax")
          #expect(error.diagnostics.first?.location != nil)
        }
      }
    }
  }

  @Test func mangledInputsReadOrFailCleanly() throws {
    let bytes = Array(RDFReaderTests.trickyDocument.utf8)
    let alphabet = Array("<>\"'\\[](){}.,;:_@^#%-+ \n\r\tua0eE名".utf8) + [0x80, 0xFF, 0x00]
    var random = SeededRandom(seed: 20_240_601)
    for round in 0..<3000 {
      var mangled = bytes
      for _ in 0...random.below(4) {
        let at = random.below(mangled.count)
        switch random.below(3) {
        case 0: mangled[at] = alphabet[random.below(alphabet.count)]
        case 1: mangled.remove(at: at)
        default: mangled.insert(alphabet[random.below(alphabet.count)], at: at)
        }
      }
      let syntax = RDFReader.Syntax.allCases[round % 4]
      do {
        try RDFReader(syntax: syntax, name: "m").read(mangled) { _ in }
      } catch let error as DiagnosticError {
        #expect(error.diagnostics.first?.code == "rdf-syntax")
      }
    }
  }

  @Test func theTrickyDocumentAsTriG() throws {
    let got = try read(RDFReaderTests.trickyDocument, .trig)
    #expect(
      got == [
        #":s :p "x"@en-gb"#, #":s :p "y"^^:t"#, #":s :p "lé\n\"\" \"\"\"""#, #":s :p "😀""#,
        #":s :p "1"^^xsd:integer"#, #":s :p "-.5"^^xsd:decimal"#, #":s :p "1e3"^^xsd:double"#,
        #":s :p "true"^^xsd:boolean"#,
        ":s :q _:genid0", "_:genid0 :r _:genid1", #"_:genid1 rdf:first "1"^^xsd:integer"#, "_:genid1 rdf:rest _:genid2",
        "_:genid2 rdf:first _:genid3", "_:genid2 rdf:rest _:genid4", "_:genid4 rdf:first rdf:nil",
        "_:genid4 rdf:rest rdf:nil",
        "<http://zh/甲> rdf:type :C", "<http://b/r> <http://b/a/#f> _:b", ":a.b :c:d :e",
        ":s :p :o :g", "_:genid5 :p _:genid0_",
        ":s :p :o",
      ])
  }
}
