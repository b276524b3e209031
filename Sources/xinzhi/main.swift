// The `xinzhi` executable: wires argv, the environment and stdio to the Shell, nothing more.

import Platform
import Shell

let environment = ProcessEnvironment.current()
let status = Shell.run(
  arguments: Array(CommandLine.arguments.dropFirst()), environment: environment,
  console: Console.standard(environment: environment))
exit(status)
