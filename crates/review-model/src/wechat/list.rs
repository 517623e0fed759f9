//! One page of `/wxaapi/comment/mpcommentlist/get`.

use serde::{Deserialize, Serialize};

use super::Comment;

/// A page of evaluations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommentListPage {
    /// The evaluations of this page.
    #[serde(
        rename = "commentList",
        default,
        deserialize_with = "crate::codec::null::deserialize"
    )]
    pub comments: Vec<Comment>,
    /// How many evaluations match the query in all; `None` when the platform left it out.
    #[serde(
        default,
        with = "crate::codec::int::opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<u64>,
    /// The offset this page starts at.
    #[serde(default, with = "crate::codec::int::number")]
    pub offset: u64,
}
