//! "Newer" / "Older" links for cursor pagination (`min_id` / `max_id`, never offsets).

use crate::extract::Cursor;
use maud::{Markup, html};

/// Links around a page whose items have IDs `ids` (newest first). `full`: the page was full,
/// so older items may exist.
pub fn pager(
    base: &str,
    first: Option<i64>,
    last: Option<i64>,
    full: bool,
    cursor: &Cursor,
) -> Markup {
    let paged = cursor.max_id.is_some() || cursor.min_id.is_some();
    html! {
        nav.pager aria-label="Pagination" {
            @if let (true, Some(first)) = (paged, first) {
                a href={ (base) "?min_id=" (first) } rel="prev" { "Newer" }
            } @else { span {} }
            @if let (true, Some(last)) = (full || cursor.min_id.is_some(), last) {
                a href={ (base) "?max_id=" (last) } rel="next" { "Older" }
            }
        }
    }
}
