// How much memory the machine has, for defaults that scale with it.

#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The machine's physical memory.
public enum PhysicalMemory {
  /// Bytes of physical memory; nil when the system does not say.
  public static var bytes: Int? {
    let pages = sysconf(Int32(_SC_PHYS_PAGES))
    let size = sysconf(Int32(_SC_PAGESIZE))
    guard pages > 0, size > 0 else { return nil }
    let (total, overflow) = pages.multipliedReportingOverflow(by: size)
    return overflow ? Int.max : total
  }
}
