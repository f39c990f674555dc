/**
 * A progress bar with the current loss, on stderr: redrawn in place on a
 * terminal; on a pipe or in CI, a plain line every 10% so logs stay short.
 */
export interface ProgressBar {
  readonly tick: (step: number, loss: number) => void
  readonly end: () => void
}

export const progressBar = (total: number, label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar => {
  const tty = stream.isTTY === true
  const width = 30
  let lastDecile = -1
  return {
    tick: (step, loss) => {
      const frac = step / total
      const text = `${label} ${String(step).padStart(String(total).length)}/${total}  loss ${loss.toFixed(4)}`
      if (tty) {
        const filled = Math.round(frac * width)
        stream.write(`\r\x1b[2K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${text}`)
      } else {
        const decile = Math.floor(frac * 10)
        if (decile !== lastDecile) {
          lastDecile = decile
          stream.write(`${text}\n`)
        }
      }
    },
    end: () => {
      if (tty) stream.write("\n")
    }
  }
}
