/**
 * The best of three runs of `fn`, in milliseconds, each run counting the smaller of its wall
 * time and the CPU time the process used. A garbage collection or a busy core (the machine is
 * shared) is not the code's cost, and other processes' turns stretch wall time, not CPU time;
 * a super-linear pattern is slow on every run and costs both.
 */
export function bestMs(fn: () => unknown, runs = 3): number {
  let min = Infinity
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    fn()
    const c = process.cpuUsage(c0)
    min = Math.min(min, performance.now() - t0, (c.user + c.system) / 1000)
    if (min < 10) break
  }
  return min
}
