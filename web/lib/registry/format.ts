/** Numbers as the registry pages show them; a missing one is a dash, never "NaN". */
export const fmtMetric = (n: number | undefined | null) =>
  n === undefined || n === null || !Number.isFinite(n) ? '–' : n.toFixed(3);

export const fmtMs = (n: number | undefined | null) =>
  n === undefined || n === null || !Number.isFinite(n)
    ? '–'
    : `${n < 10 ? n.toFixed(1) : n.toFixed(0)} ms`;

export const fmtMB = (bytes: number | undefined) =>
  bytes === undefined ? '–' : `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;

export const fmtDate = (iso: string) => new Date(iso).toLocaleString();
