//! The fuzz targets: what each input is handed to.

use anyhow::Result;
use jiff::Timestamp;
use review_model::wechat::CustomMessage;
use review_model::{AppId, CommentId, CommentReplyId, OpenId, ReplyId, Secret};
use review_protocol::Endpoint;
use review_protocol::taobao::SearchTradeRates;
use review_protocol::taobao::fw199::verify_form;
use review_protocol::wechat::push::{PushConfig, signature};
use review_protocol::wechat::{
    AddCommentReply, AddReply, ConfirmCompromise, DeleteCommentReply, DeleteReply,
    GetCommentDetail, GetCommentList, GetReplyThread, GetStableToken, GetToken, ResetKfQuota,
    SendCustomMessage, UploadMedia,
};

use super::Target;

/// The push fixtures' token, key and appid.
const PUSH_TOKEN: &str = "PUSH_TOKEN";
const PUSH_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const PUSH_APPID: &str = "wx1a2b3c4d5e6f7a8b";

type Parser = Box<dyn Fn(&[u8])>;

/// Everything the targets need, built once.
pub(super) struct Harness {
    push: PushConfig,
    wechat: Vec<Parser>,
    fw199: Parser,
    secret: Secret,
}

fn parser<E: Endpoint + 'static>(endpoint: E) -> Parser {
    Box::new(move |bytes| {
        let _ = endpoint.parse(http::Response::new(bytes));
    })
}

impl Harness {
    pub(super) fn new() -> Result<Self> {
        let comment = || CommentId::new("2868500127733022720");
        let reply = || ReplyId::new("1");
        let wechat = vec![
            parser(GetCommentList::new(
                Timestamp::UNIX_EPOCH,
                Timestamp::UNIX_EPOCH,
            )),
            parser(GetCommentDetail::new(comment())),
            parser(GetReplyThread::new(comment())),
            parser(AddReply::new(comment(), "thanks")),
            parser(DeleteReply::new(comment(), reply())),
            parser(AddCommentReply::new(comment(), reply(), "thanks")),
            parser(DeleteCommentReply::new(
                comment(),
                reply(),
                CommentReplyId::new("1"),
            )),
            parser(ConfirmCompromise::new(comment())),
            parser(ResetKfQuota::new(comment())),
            parser(SendCustomMessage::new(CustomMessage::text(
                OpenId::new("oUser"),
                "hello",
            ))),
            parser(UploadMedia::image("a.png", vec![0x89, b'P', b'N', b'G'])),
            parser(GetToken::new(AppId::new(PUSH_APPID), Secret::new("secret"))),
            parser(GetStableToken::new(
                AppId::new(PUSH_APPID),
                Secret::new("secret"),
                false,
            )),
        ];
        Ok(Self {
            push: PushConfig::new(PUSH_TOKEN)?.with_aes(PUSH_KEY, PUSH_APPID)?,
            wechat,
            fw199: parser(SearchTradeRates::received("kingdo")),
            secret: Secret::new("fw199-secret"),
        })
    }

    /// Hands `input` to `target` (every target for `all`).
    pub(super) fn run(&self, target: Target, input: &[u8]) {
        match target {
            Target::Push => self.push(input),
            Target::WechatResponses => self.wechat.iter().for_each(|parse| parse(input)),
            Target::Fw199Responses => (self.fw199)(input),
            Target::Fw199Form => {
                let _ = verify_form(input, &self.secret);
            }
            Target::All => {
                for each in Target::EACH {
                    self.run(each, input);
                }
            }
        }
    }

    /// `query\nbody`: the push entry points, as sent and re-signed so that the body gets past
    /// the signature checks.
    fn push(&self, input: &[u8]) {
        let (query, body) = match input.iter().position(|&b| b == b'\n') {
            Some(at) => (
                input.get(..at).unwrap_or_default(),
                input.get(at + 1..).unwrap_or_default(),
            ),
            None => (&[][..], input),
        };
        let query = String::from_utf8_lossy(query);
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
                .unwrap_or_default()
                .to_owned()
        };
        let ts = param("timestamp");
        let nonce = param("nonce");
        let now = ts
            .parse::<i64>()
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok())
            .unwrap_or(Timestamp::UNIX_EPOCH);

        let _ = self.push.verify_url(&query, now);
        let _ = self.push.open(&query, body, now);

        // Re-signed: the body reaches the format detection, the XML/JSON decoders and the
        // envelope parsing.
        let sig = signature(&[PUSH_TOKEN, &ts, &nonce]);
        let mut resigned = format!("signature={sig}&timestamp={ts}&nonce={nonce}");
        if query.contains("encrypt_type=aes") {
            resigned.push_str("&encrypt_type=aes&msg_signature=");
            resigned.push_str(&param("msg_signature"));
        }
        let _ = self.push.verify_url(&format!("{resigned}&echostr=x"), now);
        let _ = self.push.open(&resigned, body, now);

        // The body as an `Encrypt` value, correctly signed: reaches base64, AES and the
        // plaintext framing.
        let encrypt = String::from_utf8_lossy(body);
        let msg_sig = signature(&[PUSH_TOKEN, &ts, &nonce, &encrypt]);
        if let Ok(message) = self.push.open_sealed(&ts, &nonce, &msg_sig, &encrypt) {
            // A decrypted message goes through the plaintext decoders too.
            let _ = self.push.open(
                &resigned.replace("&encrypt_type=aes", ""),
                message.as_bytes(),
                now,
            );
        }
    }
}
