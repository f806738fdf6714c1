// The series colours of every chart, in the UI and in the report alike: the i-th compared
// group (experiment, optimizer or trial, in the order the comparison lists them) gets
// SERIES_PALETTE[i mod 8], so "adam" has the same colour on screen and in the PDF.

export const SERIES_PALETTE: readonly string[] = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

/** The colour of the group at `index` in a comparison. */
export function seriesColor(index: number): string {
  return SERIES_PALETTE[((index % SERIES_PALETTE.length) + SERIES_PALETTE.length) % SERIES_PALETTE.length];
}
