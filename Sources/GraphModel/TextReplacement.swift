// Replacing text without Foundation: the table renderer escapes cells with it, the SQL
// translation quotes literals.

extension String {
  /// Replaces every occurrence of a substring (no Foundation).
  package func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty, contains(target) else { return self }
    var result = ""
    var rest = self[...]
    while let range = rest.range(ofExact: target) {
      result += rest[..<range.lowerBound]
      result += replacement
      rest = rest[range.upperBound...]
    }
    return result + rest
  }
}

extension Substring {
  package func range(ofExact target: String) -> Range<Index>? {
    var start = startIndex
    while start < endIndex {
      if self[start...].hasPrefix(target) {
        return start..<index(start, offsetBy: target.count)
      }
      start = index(after: start)
    }
    return nil
  }
}
