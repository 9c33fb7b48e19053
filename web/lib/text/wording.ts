// Counts and shares as people write them: "1 image", "3 images", never "image(s)"; a
// confidence under 1% as "<1%", never "0%".

/** `n` and the noun, singular for exactly one; `many` for irregular plurals ("box", "boxes"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * A confidence (0-1) as a percentage that never rounds a real score to "0%": under 1% it reads
 * "<1%" (or one decimal where `decimals` is asked), and 1 reads 100%.
 */
export function percent(confidence: number, decimals = 0): string {
  const p = confidence * 100;
  if (p > 0 && p < 10 ** -decimals) return `<${10 ** -decimals}%`;
  return `${p.toFixed(decimals)}%`;
}
