// "Did you mean ...?": the nearest known names to a misspelt one, by edit distance.

/// Finds the known names closest to a misspelt one.
public enum Suggestions {
  /// The Levenshtein distance between two strings, counted in characters.
  public static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }

  /// Up to `limit` candidates within a distance that grows with the name's length, nearest
  /// first, ties in alphabetical order.
  public static func nearest(to name: String, in candidates: some Sequence<String>, limit: Int = 3) -> [String] {
    let budget = max(1, min(3, name.count / 4 + 1))
    var scored: [(Int, String)] = []
    let lower = name.lowercased()
    for candidate in candidates where candidate != name {
      var d = distance(lower, candidate.lowercased())
      if candidate.lowercased().hasPrefix(lower) || lower.hasPrefix(candidate.lowercased()) { d = min(d, 1) }
      if d <= budget { scored.append((d, candidate)) }
    }
    scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    return scored.prefix(limit).map(\.1)
  }

  /// `did you mean `a` or `b`?`, or nil when nothing is near.
  public static func didYouMean(_ name: String, in candidates: some Sequence<String>) -> String? {
    let found = nearest(to: name, in: candidates)
    guard !found.isEmpty else { return nil }
    let quoted = found.map { "`\($0)`" }
    let list = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " or " + (quoted.last ?? "")
    return "did you mean \(list)?"
  }
}
