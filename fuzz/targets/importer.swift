// Fuzz target: the TSV and N-Triples readers on arbitrary bytes (the first byte chooses the
// format). Every line must give a triple or a diagnostic with its line and column.

import Diagnostics
import GraphImport
import GraphModel
import Glibc

let path = "/dev/shm/xinzhi-fuzz-import-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImporter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size > 0 else { return 0 }
  let format: ImportFormat = data[0] & 1 == 0 ? .tsv : .ntriples
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  guard fd >= 0 else { return 0 }
  var written = 0
  while written < size - 1 {
    let n = write(fd, data + 1 + written, size - 1 - written)
    if n <= 0 { break }
    written += n
  }
  close(fd)
  do {
    _ = try TripleFileReader(path: path, format: format).read { s, p, o in _ = (s, p, o) }
  } catch {
    _ = "\(error)"
  }
  return 0
}
