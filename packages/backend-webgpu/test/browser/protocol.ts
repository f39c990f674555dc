/**
 * What the browser page reports to the test.
 */

/** One case's result in the page: its value, or the error it raised. */
export type BrowserResult =
  | {
    readonly name: string
    readonly dtype: string
    readonly shape: ReadonlyArray<number>
    readonly data: ReadonlyArray<number>
  }
  | { readonly name: string; readonly error: string }

/** The page's report. */
export interface BrowserReport {
  readonly adapter: string
  /** The layer's reduction of large trigonometric arguments (Cody-Waite on SwiftShader, else Payne-Hanek). */
  readonly trigReduction: string
  readonly results: ReadonlyArray<BrowserResult>
}
