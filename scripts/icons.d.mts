/** Every PNG size made; the Linux desktop picks from these. */
export const PNG_SIZES: number[]
/** The sizes inside icon.ico. */
export const ICO_SIZES: number[]
/** icon.icns's entries: Apple's PNG icon type and the pixel size each holds. */
export const ICNS_TYPES: [string, number][]
/** Renders the SVG into `outDir`; returns the names of the files written. */
export function makeIcons(svgPath?: string, outDir?: string): Promise<string[]>
