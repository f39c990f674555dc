/**
 * A progress line on stderr: rewritten in place on a terminal, one line per
 * finished step otherwise (CI logs stay readable).
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export interface Progress {
  /** Updates the in-place line (ignored when stderr is not a terminal). */
  readonly update: (text: string) => void
  /** Prints a line that stays. */
  readonly log: (text: string) => void
  readonly done: () => void
}

/** @since 0.1.0 */
export const makeProgress = (stream: NodeJS.WriteStream = process.stderr): Progress => {
  const tty = stream.isTTY === true
  let shown = false
  const clear = () => {
    if (shown) stream.write("\r\x1b[2K")
    shown = false
  }
  return {
    update: (text) => {
      if (!tty) return
      const width = Math.max(20, (stream.columns ?? 100) - 1)
      stream.write(`\r\x1b[2K${text.length > width ? text.slice(0, width - 1) + "…" : text}`)
      shown = true
    },
    log: (text) => {
      clear()
      stream.write(text + "\n")
    },
    done: clear
  }
}
