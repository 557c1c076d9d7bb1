/** Types of scripts/build-console.mjs (the browser tests call it). */
export declare function buildConsole(opts?: { outDir?: string; minify?: boolean }): Promise<{ outDir: string; files: string[] }>
