// Writes a graph picture in Graphviz DOT: nodes with HTML-like labels (a title, the id beneath
// it, value rows), labelled edges, clusters and a legend. Every identifier and label is quoted
// and escaped, so any data gives valid DOT; the output depends only on the document (its order).

/// How a node is drawn.
public struct DotNodeStyle: Sendable, Hashable {
  /// A Graphviz shape (`box`, `ellipse`, `hexagon`...).
  public var shape: String
  /// Fill colour (`#RRGGBB`).
  public var fill: String
  /// Border colour.
  public var border: String
  /// Extra `style` words besides `filled` (`rounded`, `dashed`).
  public var extra: String

  /// Creates a style.
  public init(shape: String, fill: String, border: String, extra: String = "") {
    self.shape = shape
    self.fill = fill
    self.border = border
    self.extra = extra
  }
}

/// A node of a DOT document.
public struct DotNode: Sendable {
  /// The identifier (any text; quoted and escaped on output).
  public var id: String
  /// The main line of the label (a label in the chosen language, or the id).
  public var title: String
  /// A smaller grey line under the title (the id, when the title is a label), or nil.
  public var subtitle: String?
  /// Rows of `key: value` under the title (literal values of the entity).
  public var details: [(key: String, value: String)]
  /// How it is drawn.
  public var style: DotNodeStyle
  /// Hover text in SVG (the id and type), or nil.
  public var tooltip: String?

  /// Creates a node.
  public init(id: String, title: String, subtitle: String? = nil, details: [(key: String, value: String)] = [], style: DotNodeStyle, tooltip: String? = nil) {
    self.id = id
    self.title = title
    self.subtitle = subtitle
    self.details = details
    self.style = style
    self.tooltip = tooltip
  }
}

/// An edge of a DOT document.
public struct DotEdge: Sendable, Hashable {
  /// The tail node's id.
  public var from: String
  /// The head node's id.
  public var to: String
  /// The edge label (the predicate), or nil.
  public var label: String?
  /// Extra attributes already in DOT syntax, e.g. `style=dashed` (written as given).
  public var attributes: String

  /// Creates an edge.
  public init(from: String, to: String, label: String? = nil, attributes: String = "") {
    self.from = from
    self.to = to
    self.label = label
    self.attributes = attributes
  }
}

/// A group of nodes drawn inside a box.
public struct DotCluster: Sendable {
  /// The box's title.
  public var label: String
  /// The ids of its nodes.
  public var members: [String]
  /// Whether its nodes share one rank (a column when the picture runs left to right).
  public var sameRank: Bool

  /// Creates a cluster.
  public init(label: String, members: [String], sameRank: Bool = false) {
    self.label = label
    self.members = members
    self.sameRank = sameRank
  }
}

/// A whole picture: what ``DotWriter`` writes.
public struct DotDocument: Sendable {
  /// The graph's name (shown as its title).
  public var title: String
  /// Nodes, in output order.
  public var nodes: [DotNode] = []
  /// Edges, in output order.
  public var edges: [DotEdge] = []
  /// Clusters; a node belongs to at most one.
  public var clusters: [DotCluster] = []
  /// The legend: each style with what it means.
  public var legend: [(style: DotNodeStyle, label: String)] = []
  /// The legend box's title.
  public var legendTitle = "Legend"
  /// `LR` (left to right) or `TB` (top to bottom).
  public var rankDirection = "LR"
  /// Fonts to try, in order (one with CJK glyphs first so Chinese renders).
  public var fontName = "Noto Sans CJK SC,Noto Sans SC,WenQuanYi Zen Hei,sans-serif"

  /// Creates an empty document.
  public init(title: String) {
    self.title = title
  }
}

/// Writes ``DotDocument``s as DOT text.
public enum DotWriter {
  /// Above this many nodes the writer asks Graphviz for a quicker, rougher layout.
  public static let largePicture = 300

  /// The DOT text of a document, ending with a newline.
  public static func write(_ document: DotDocument) -> String {
    var out = "digraph " + quoted(document.title) + " {\n"
    let font = quoted(document.fontName)
    out += "  graph [rankdir=\(document.rankDirection), fontname=\(font), fontsize=12, labelloc=t, label=\(quoted(document.title)), newrank=true, nodesep=0.25, ranksep=0.6];\n"
    if document.nodes.count > DotWriter.largePicture {
      // Fewer layout passes: a large picture then takes seconds rather than many minutes.
      out += "  graph [mclimit=0.1, nslimit=0.2, nslimit1=0.2, searchsize=10, remincross=false];\n"
    }
    out += "  node [fontname=\(font), fontsize=11, margin=\"0.12,0.06\"];\n"
    out += "  edge [fontname=\(font), fontsize=9, color=\"#555555\", fontcolor=\"#333333\", arrowsize=0.7];\n"
    var clustered = Set<String>()
    for (k, cluster) in document.clusters.enumerated() {
      out += "  subgraph " + quoted("cluster_\(k + 1)") + " {\n"
      out += "    graph [label=\(quoted(cluster.label)), style=\"rounded,filled\", fillcolor=\"#F7F7F7\", color=\"#BBBBBB\"];\n"
      if cluster.sameRank { out += "    rank=same;\n" }
      let members = Set(cluster.members)
      for node in document.nodes where members.contains(node.id) && !clustered.contains(node.id) {
        out += "    " + nodeLine(node) + "\n"
        clustered.insert(node.id)
      }
      out += "  }\n"
    }
    for node in document.nodes where !clustered.contains(node.id) {
      out += "  " + nodeLine(node) + "\n"
    }
    for edge in document.edges {
      var attributes: [String] = []
      if let label = edge.label { attributes.append("label=" + quoted(label)) }
      if !edge.attributes.isEmpty { attributes.append(edge.attributes) }
      out += "  " + quoted(edge.from) + " -> " + quoted(edge.to) + (attributes.isEmpty ? "" : " [" + attributes.joined(separator: ", ") + "]") + ";\n"
    }
    if !document.legend.isEmpty {
      out += "  subgraph " + quoted("cluster_legend") + " {\n"
      out += "    graph [label=\(quoted(document.legendTitle)), style=rounded, color=\"#BBBBBB\"];\n"
      for (k, entry) in document.legend.enumerated() {
        let style = styleAttributes(entry.style)
        out += "    " + quoted("legend_\(k + 1)") + " [label=" + quoted(entry.label) + ", " + style + "];\n"
      }
      // One rank: a column when the picture runs left to right, a row when top to bottom.
      out += "    {rank=same; " + (1...document.legend.count).map { quoted("legend_\($0)") }.joined(separator: "; ") + "}\n"
      out += "  }\n"
    }
    out += "}\n"
    return out
  }

  private static func styleAttributes(_ style: DotNodeStyle) -> String {
    let styles = ["filled"] + (style.extra.isEmpty ? [] : [style.extra])
    return "shape=\(style.shape), style=\(quoted(styles.joined(separator: ","))), fillcolor=\(quoted(style.fill)), color=\(quoted(style.border))"
  }

  private static func nodeLine(_ node: DotNode) -> String {
    var label = "<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"1\">"
    label += "<tr><td><b>" + html(node.title) + "</b></td></tr>"
    if let subtitle = node.subtitle {
      label += "<tr><td><font point-size=\"8\" color=\"#666666\">" + html(subtitle) + "</font></td></tr>"
    }
    for (key, value) in node.details {
      label += "<tr><td align=\"left\"><font point-size=\"9\">" + html(key) + ": " + html(value) + "</font></td></tr>"
    }
    label += "</table>"
    var line = quoted(node.id) + " [label=<" + label + ">, " + styleAttributes(node.style)
    if let tooltip = node.tooltip { line += ", tooltip=" + quoted(tooltip) }
    return line + "];"
  }

  /// A DOT quoted string. Inside quotes DOT treats only `\"` specially, but labels read
  /// backslash escapes (`\n`, `\l`, `\N`...), so backslashes are doubled, quotes escaped, and
  /// line breaks and other control characters written as visible escapes.
  public static func quoted(_ text: String) -> String {
    "\"" + escaped(text, control: "\\\\u") { scalar in
      switch scalar {
      case "\"": "\\\""
      case "\\": "\\\\"
      case "\n": "\\n"
      case "\r", "\t": " "
      default: nil
      }
    } + "\""
  }

  /// Text for an HTML-like label: `&`, `<`, `>`, `"` and `'` as entities, line breaks as
  /// `<br/>`, other control characters as visible `\u{..}`; everything else kept as is.
  public static func html(_ text: String) -> String {
    escaped(text, control: "\\u") { scalar in
      switch scalar {
      case "&": "&amp;"
      case "<": "&lt;"
      case ">": "&gt;"
      case "\"": "&quot;"
      case "'": "&#39;"
      case "\n": "<br/>"
      case "\r": ""
      case "\t": " "
      default: nil
      }
    }
  }

  /// Text with some scalars replaced, and other control characters shown as `{control}{HEX}`.
  private static func escaped(_ text: String, control: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      if let replaced = replacement(scalar) {
        out += replaced
      } else if scalar.value < 0x20 || scalar.value == 0x7F || (scalar.value >= 0x80 && scalar.value < 0xA0) {
        out += control + "{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
