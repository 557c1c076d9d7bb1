/**
 * Vietnamese search normalization: a user typing "giay phep xay dung" (no diacritics,
 * common on phones and in URLs) must find "Giấy phép xây dựng". Both the stored
 * `name_folded` column and the query go through {@link foldVietnamese}.
 */

/**
 * Fold Vietnamese text for search: NFD, strip combining marks (tones and vowel
 * marks), `đ`/`Đ` → `d` (not a combining mark, so NFD leaves it), lowercase,
 * whitespace collapsed to single spaces and trimmed.
 * `"ĐĂNG KÝ"` → `"dang ky"`, `"Giấy phép xây dựng"` → `"giay phep xay dung"`.
 */
export function foldVietnamese(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim()
}

/**
 * Search tokens of a text: folded, split on anything that is not a letter or digit,
 * empties and repeats removed, first-occurrence order kept.
 * `"Cấp giấy phép (xây dựng), GPXD"` → `["cap", "giay", "phep", "xay", "dung", "gpxd"]`.
 */
export function searchTokens(s: string): string[] {
  const out: string[] = []
  for (const t of foldVietnamese(s).split(/[^\p{L}\p{N}]+/u)) {
    if (t !== '' && !out.includes(t)) out.push(t)
  }
  return out
}

/** Escape `%`, `_` and `\` for a SQL `LIKE … ESCAPE '\'` pattern. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/**
 * A `LIKE` pattern (use with `ESCAPE '\'`) matching folded names that contain the
 * query's tokens in order, anything in between:
 * `"Giấy phép xây-dựng"` → `"%giay%phep%xay%dung%"`. An empty query matches all (`"%"`).
 */
export function searchPattern(query: string): string {
  const tokens = searchTokens(query)
  return tokens.length === 0 ? '%' : `%${tokens.map(escapeLike).join('%')}%`
}

/**
 * The query's words as one phrase, as they appear in a folded name when they stand
 * together: `"Giấy phép, xây-dựng"` → `"giay phep xay dung"` (ranks names holding it).
 */
export function searchPhrase(query: string): string {
  return searchTokens(query).join(' ')
}
