const graphemes = new Intl.Segmenter('vi', { granularity: 'grapheme' })

/**
 * NFC-normalizes `value` and cuts it so that its UTF-16 length (what .NET/SQL Server
 * portals count) is at most `max`, at a grapheme boundary: a surrogate pair, an emoji
 * sequence or a letter with its combining marks is never split. As UTF-16 units ≥ code
 * points, the result also holds `max` code points (JSON Schema's `maxLength`).
 */
export function truncateText(value: string, max: number): string {
  const text = value.normalize('NFC')
  if (text.length <= max) return text
  let out = ''
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > max) break
    out += segment
  }
  return out
}
