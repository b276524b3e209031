"""Five saved questions of queries/ asked in SPARQL over the shipped graph's TriG export, by
Oxigraph (pyoxigraph) and rdflib, and the provenance of one fact. Prints, for each question, its
answer rows in Xinzhi's literal syntax (one tab-separated row per line, sorted), so the Swift test
can compare them with the expected answers the saved scripts hold.

usage: python saved_questions.py EXPORT.trig ENGINE   (ENGINE: oxigraph or rdflib; rdflib
answers only the provenance query, its SPARQL engine being too slow for the five questions)
"""
import sys
from urllib.parse import unquote

BASE = "urn:xinzhi:"
PREFIXES = """PREFIX x: <urn:xinzhi:>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

# Each question: the saved script, which of its queries (0-based), and the SPARQL asking the
# same. The query's default graph is the union of every graph (the facts of all transactions
# and their descriptions); a fact's citation is the dcterms:source of a named graph holding it
# (`GRAPH ?g { fact }`). Xinzhi's standing rules (types closed over rdfs:subClassOf, located_in
# transitive) are property paths here. A "—" default binds its own subject inside its UNION
# branch: SPARQL evaluates a branch on its own, so a NOT EXISTS there sees no outer bindings.
QUESTIONS = [
    ("14-counts-by-class.dl", 0, """
SELECT ?c (COUNT(DISTINCT ?x) AS ?n) ?label WHERE {
  ?c a x:class ; rdfs:subClassOf x:entity ; rdfs:label ?label . FILTER(lang(?label) = "zh")
  ?x a/rdfs:subClassOf* ?c .
} GROUP BY ?c ?label"""),
    ("15-historical-timeline.dl", 0, """
SELECT DISTINCT ?x ?year ?kind ?exact ?dated ?source ?label WHERE {
  { SELECT ?x (MIN(?y) AS ?year) WHERE { %(when)s %(kind)s } GROUP BY ?x }
  FILTER(?year < 2000)
  %(kind)s
  %(when_cited)s
  FILTER(?y = ?year)
  ?x rdfs:label ?label . FILTER(lang(?label) = "zh")
}"""),
    ("47-financial-crises.dl", 0, """
SELECT DISTINCT ?crisis ?date ?place ?revolution WHERE {
  ?e a/rdfs:subClassOf* x:financial_crisis ; rdfs:label ?crisis . FILTER(lang(?crisis) = "zh")
  { ?e x:date ?date } UNION { FILTER NOT EXISTS { ?e x:date ?own } ?d x:occurred_during ?e ; x:date ?date }
  { ?e x:located_in+ ?p . ?p rdfs:label ?place . FILTER(lang(?place) = "zh") }
  UNION { ?e a/rdfs:subClassOf* x:financial_crisis . FILTER NOT EXISTS { ?e x:located_in ?any } BIND("—" AS ?place) }
  { ?e x:occurred_during ?r } UNION { ?e x:part_of ?r }
  ?r a/rdfs:subClassOf* x:industrial_revolution ; rdfs:label ?revolution . FILTER(lang(?revolution) = "zh")
}"""),
    ("50-financial-centres.dl", 0, """
SELECT DISTINCT ?source ?centre ?revolution WHERE {
  GRAPH ?g { ?c a x:financial_center } ?g dcterms:source ?source .
  ?c rdfs:label ?centre . FILTER(lang(?centre) = "zh")
  { ?r a/rdfs:subClassOf* x:industrial_revolution ; rdfs:label ?revolution . FILTER(lang(?revolution) = "zh")
    { ?r x:located_in+ ?c } UNION { ?c x:located_in+ ?k . ?r x:located_in+ ?k } }
  UNION
  { ?c a x:financial_center .
    FILTER NOT EXISTS { ?r2 a/rdfs:subClassOf* x:industrial_revolution .
      { ?r2 x:located_in+ ?c } UNION { ?c x:located_in+ ?k2 . ?r2 x:located_in+ ?k2 } }
    BIND("—" AS ?revolution) }
}"""),
    ("04-relending-tools.dl", 0, """
SELECT DISTINCT ?t ?f ?i ?tool ?framework ?issuer WHERE {
  ?t a/rdfs:subClassOf* x:relending_tool ; rdfs:label ?tool . FILTER(lang(?tool) = "zh")
  { ?t x:part_of|x:member_of ?f . ?f rdfs:label ?framework . FILTER(lang(?framework) = "zh") }
  UNION { ?t a/rdfs:subClassOf* x:relending_tool . FILTER NOT EXISTS { ?t x:part_of|x:member_of ?any } BIND("—" AS ?f) BIND("—" AS ?framework) }
  { { ?t x:issued_by ?i } UNION { ?i x:provides ?t . ?i a/rdfs:subClassOf* x:institution }
    ?i rdfs:label ?issuer . FILTER(lang(?issuer) = "zh") }
  UNION { ?t a/rdfs:subClassOf* x:relending_tool . FILTER NOT EXISTS { ?t x:issued_by ?any2 } FILTER NOT EXISTS { ?any3 x:provides ?t } BIND("—" AS ?i) BIND("—" AS ?issuer) }
}"""),
    ("52-inventions-behind-revolutions.dl", 0, """
SELECT DISTINCT ?invention ?inventor ?year ?link ?advanced ?inventorSource WHERE {
  GRAPH ?g { ?t x:invented_by ?p } ?g dcterms:source ?inventorSource .
  ?t rdfs:label ?invention . FILTER(lang(?invention) = "zh")
  ?p rdfs:label ?inventor . FILTER(lang(?inventor) = "zh")
  OPTIONAL { ?t x:year ?y }
  BIND(COALESCE(?y, "—") AS ?year)
  { { ?t x:supports ?x BIND("supports" AS ?link) } UNION { ?t x:applied_in ?x BIND("applied_in" AS ?link) }
    ?x rdfs:label ?advanced . FILTER(lang(?advanced) = "zh") }
  UNION { ?t x:invented_by ?p0 . FILTER NOT EXISTS { ?t x:supports|x:applied_in ?any } BIND("—" AS ?link) BIND("—" AS ?advanced) }
}"""),
]

WHEN = """{ ?x x:year ?y . FILTER(datatype(?y) = xsd:integer) BIND("year" AS ?dated) BIND(?y AS ?exact) BIND(x:year AS ?dp) }
  UNION { ?x x:start_year ?y . BIND("start" AS ?dated) BIND(?y AS ?exact) BIND(x:start_year AS ?dp) }
  UNION { ?x x:founded_in ?y . BIND("founded" AS ?dated) BIND(?y AS ?exact) BIND(x:founded_in AS ?dp) }
  UNION { ?x x:date ?exact . BIND(xsd:integer(SUBSTR(STR(?exact), 1, 4)) AS ?y) BIND("date" AS ?dated) BIND(x:date AS ?dp) }"""
KIND = """{ ?x a/rdfs:subClassOf* ?kc .
  VALUES (?kc ?kind) { (x:event "event") (x:institution "institution") (x:instrument "instrument") (x:technology "technology") (x:policy "policy") }
  FILTER(?kind != "policy" || NOT EXISTS { ?x a/rdfs:subClassOf* x:document }) }"""
q=QUESTIONS[1]
QUESTIONS[1] = (q[0], q[1], q[2] % {
    "when": WHEN, "kind": KIND, "when_cited": WHEN + "\n  GRAPH ?gs { ?x ?dp ?exact } ?gs dcterms:source ?source ."})

# The provenance of one chosen fact: every citation, claim kind and commit time.
PROVENANCE = """
SELECT ?source ?claim ?time WHERE {
  GRAPH ?g { x:uk_banking_system x:financed x:first_industrial_revolution }
  ?g dcterms:source ?source ; dcterms:type ?claim ; prov:generatedAtTime ?time .
}"""


def literal(kind, value, language=None, datatype=None):
    """A value in Xinzhi's literal syntax."""
    if kind == "iri":
        if value.startswith(BASE):
            return unquote(value[len(BASE):])
        special = {"http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "type", "http://www.w3.org/2000/01/rdf-schema#label": "label"}
        return special.get(value, value)
    if language:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"@' + language
    xsd = "http://www.w3.org/2001/XMLSchema#"
    if datatype in (xsd + "integer", xsd + "decimal"):
        return value
    if datatype in (xsd + "date", xsd + "gYear", xsd + "gYearMonth"):
        return "@" + value
    if datatype == xsd + "dateTime" and value.endswith("+00:00"):
        value = value[: -len("+00:00")] + "Z"  # rdflib writes UTC as an offset
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_oxigraph(path, query):
    import pyoxigraph as ox
    global STORE
    if "STORE" not in globals():
        STORE = ox.Store()
        STORE.load(path=path, format=ox.RdfFormat.TRIG)
    graphs = [ox.DefaultGraph()] + list(STORE.named_graphs())
    rows = []
    for solution in STORE.query(PREFIXES + query, default_graph=graphs):
        row = []
        for term in solution:
            if isinstance(term, ox.NamedNode):
                row.append(literal("iri", term.value))
            elif isinstance(term, ox.Literal):
                row.append(literal("literal", term.value, term.language, term.datatype.value if term.datatype else None))
            else:
                row.append(str(term))
        rows.append("\t".join(row))
    return rows


def run_rdflib(path, query):
    import rdflib
    global DATASET
    if "DATASET" not in globals():
        DATASET = rdflib.Dataset(default_union=True)
        DATASET.parse(path, format="trig")
    rows = []
    for solution in DATASET.query(PREFIXES + query):
        row = []
        for term in solution:
            if isinstance(term, rdflib.URIRef):
                row.append(literal("iri", str(term)))
            elif isinstance(term, rdflib.Literal):
                row.append(literal("literal", str(term), term.language, str(term.datatype) if term.datatype else None))
            else:
                row.append(str(term))
        rows.append("\t".join(row))
    return rows


def count(path, engine):
    """The number of statements the engine read from the export."""
    if engine == "oxigraph":
        import pyoxigraph as ox
        run_oxigraph(path, "SELECT * WHERE { } LIMIT 0")
        return len(STORE)
    import rdflib
    run_rdflib(path, "SELECT * WHERE { } LIMIT 0")
    return len(list(DATASET.quads((None, None, None, None))))


def main():
    path, engine = sys.argv[1], sys.argv[2]
    run = run_oxigraph if engine == "oxigraph" else run_rdflib
    print(f"## statements {count(path, engine)}")
    # rdflib's SPARQL engine takes minutes over these joins: it reads the export and answers
    # the provenance query; Oxigraph answers the five questions too.
    for script, index, query in (QUESTIONS if engine == "oxigraph" else []):
        rows = sorted(set(run(path, query)))
        print(f"## {script} {index} {len(rows)}")
        for row in rows:
            print(row)
    rows = sorted(run(path, PROVENANCE))
    print(f"## provenance 0 {len(rows)}")
    for row in rows:
        print(row)


main()
