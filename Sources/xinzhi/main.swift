// The `xinzhi` executable: wires argv, the environment and stdio to the Shell, nothing more.

import Glibc
import Shell

var environment: [String: String] = [:]
var pointer = environ
while let entry = pointer.pointee {
  let text = String(cString: entry)
  if let equals = text.firstIndex(of: "=") {
    environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
  }
  pointer += 1
}
let status = Shell.run(
  arguments: Array(CommandLine.arguments.dropFirst()), environment: environment,
  console: Console.standard(environment: environment))
exit(status)
