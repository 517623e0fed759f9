//! The credentials the sandbox accepts: derived from the seed, here and only here, so they are
//! the same every run.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use review_model::{AppId, Secret};
use review_protocol::taobao::Fw199Credentials;

/// WeChat credentials for `/cgi-bin/token` and `/cgi-bin/stable_token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatCredentials {
    /// The mini program's AppID.
    pub appid: AppId,
    /// Its app secret.
    pub secret: Secret,
}

/// What a Taobao client needs against the sandbox: the fw199 gateway's partner credentials
/// (the protocol's own type, so they go straight into a
/// [`Fw199Context`](review_protocol::taobao::Fw199Context)) and the seller whose rates the
/// sandbox holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaobaoCredentials {
    /// The partner AppId and secret every search is signed with.
    pub gateway: Fw199Credentials,
    /// The seller nick (`tb_seller_nick`).
    pub seller_nick: String,
}

/// Both platforms' credentials for one seed.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub(crate) wechat: WechatCredentials,
    pub(crate) taobao: TaobaoCredentials,
}

fn hex(rng: &mut ChaCha20Rng, bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

impl Credentials {
    /// Both platforms' credentials for `seed`.
    pub(crate) fn derive(seed: u64) -> Self {
        // A stream of its own, so that changing how data is generated never changes credentials.
        let mut rng = ChaCha20Rng::seed_from_u64(seed ^ 0x6372_6564_656e_7469);
        let wechat = WechatCredentials {
            appid: AppId::new(format!("wx{}", hex(&mut rng, 8))),
            secret: Secret::new(hex(&mut rng, 16)),
        };
        let taobao = TaobaoCredentials {
            gateway: Fw199Credentials::new(
                format!("sbx{}", hex(&mut rng, 6)),
                Secret::new(hex(&mut rng, 16)),
            ),
            seller_nick: "鲜果优选旗舰店".to_owned(),
        };
        Self { wechat, taobao }
    }
}
