//! One method per endpoint, written once for both drivers, named for the endpoint's operation
//! ([`Metadata::operation`](review_protocol::Metadata::operation)).

/// Expands the per-endpoint methods; `async; .await` for the async driver, `;` for the
/// blocking one. Both call the driver's generic `wechat` or `fw199`.
macro_rules! endpoint_methods {
    ($($async:ident)? ; $($await:tt)*) => {
        /// One page of comments (`mpcommentlist/get`); see `comments` for every page.
        pub $($async)? fn comment_list(&self, query: &review_protocol::wechat::GetCommentList) -> Result<review_model::wechat::CommentListPage, crate::ClientError> {
            self.wechat(query)$($await)*
        }

        /// The merchant's reply and its follow-ups.
        pub $($async)? fn reply_thread(&self, comment_id: review_model::CommentId) -> Result<review_model::wechat::ReplyThread, crate::ClientError> {
            self.wechat(&review_protocol::wechat::GetReplyThread::new(comment_id))$($await)*
        }

        /// One comment in full, with its bad-review process and history.
        pub $($async)? fn comment_detail(&self, comment_id: review_model::CommentId) -> Result<review_model::wechat::CommentDetail, crate::ClientError> {
            self.wechat(&review_protocol::wechat::GetCommentDetail::new(comment_id))$($await)*
        }

        /// Replies to a comment. A write: never repeated after an ambiguous failure.
        pub $($async)? fn reply_add(&self, comment_id: review_model::CommentId, text: &str) -> Result<(), crate::ClientError> {
            self.wechat(&review_protocol::wechat::AddReply::new(comment_id, text))$($await)*
        }

        /// Deletes the first reply and its follow-ups.
        pub $($async)? fn reply_delete(&self, comment_id: review_model::CommentId, reply_id: review_model::ReplyId) -> Result<(), crate::ClientError> {
            self.wechat(&review_protocol::wechat::DeleteReply::new(comment_id, reply_id))$($await)*
        }

        /// Adds a follow-up under the first reply (`commentreply/add`).
        pub $($async)? fn comment_reply_add(&self, comment_id: review_model::CommentId, reply_id: review_model::ReplyId, text: &str) -> Result<(), crate::ClientError> {
            self.wechat(&review_protocol::wechat::AddCommentReply::new(comment_id, reply_id, text))$($await)*
        }

        /// Deletes one follow-up (`commentreply/delete`).
        pub $($async)? fn comment_reply_delete(&self, comment_id: review_model::CommentId, reply_id: review_model::ReplyId, comment_reply_id: review_model::CommentReplyId) -> Result<(), crate::ClientError> {
            self.wechat(&review_protocol::wechat::DeleteCommentReply::new(comment_id, reply_id, comment_reply_id))$($await)*
        }

        /// Opens a customer-service session with the author of a bad review.
        pub $($async)? fn kf_quota_reset(&self, comment_id: review_model::CommentId) -> Result<(), crate::ClientError> {
            self.wechat(&review_protocol::wechat::ResetKfQuota::new(comment_id))$($await)*
        }

        /// Confirms a settlement.
        pub $($async)? fn confirm_compromise(&self, settlement: &review_protocol::wechat::ConfirmCompromise) -> Result<(), crate::ClientError> {
            self.wechat(settlement)$($await)*
        }

        /// Sends a customer-service message.
        pub $($async)? fn custom_send(&self, message: review_model::wechat::CustomMessage) -> Result<(), crate::ClientError> {
            self.wechat(&review_protocol::wechat::SendCustomMessage::new(message))$($await)*
        }

        /// Uploads a picture as temporary media (for a settlement's `picList`).
        pub $($async)? fn media_upload(&self, filename: &str, data: Vec<u8>) -> Result<review_model::wechat::MediaUpload, crate::ClientError> {
            self.wechat(&review_protocol::wechat::UploadMedia::image(filename, data))$($await)*
        }

        /// One page of the signed trade-rate search; see `rates` for a whole range.
        pub $($async)? fn trade_rates(&self, query: &review_protocol::taobao::SearchTradeRates) -> Result<review_model::taobao::TradeRatePage, crate::ClientError> {
            self.fw199(query)$($await)*
        }
    };
}

pub(crate) use endpoint_methods;
