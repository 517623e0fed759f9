//! The credentials the sandbox accepts: derived from the seed, so they are the same every run.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use review_model::{AppId, Secret};

/// WeChat credentials for `/cgi-bin/token` and `/cgi-bin/stable_token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatCredentials {
    /// The mini program's AppID.
    pub appid: AppId,
    /// Its app secret.
    pub secret: Secret,
}

/// fw199 credentials and the seller whose rates the sandbox holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fw199SandboxCredentials {
    /// The partner AppId.
    pub appid: String,
    /// The partner secret.
    pub secret: Secret,
    /// The seller nick (`tb_seller_nick`).
    pub seller_nick: String,
}

fn hex(rng: &mut ChaCha20Rng, bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// Both platforms' credentials for `seed`.
pub(crate) fn derive(seed: u64) -> (WechatCredentials, Fw199SandboxCredentials) {
    // A stream of its own, so that changing how data is generated never changes credentials.
    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ 0x6372_6564_656e_7469);
    let wechat = WechatCredentials {
        appid: AppId::new(format!("wx{}", hex(&mut rng, 8))),
        secret: Secret::new(hex(&mut rng, 16)),
    };
    let fw199 = Fw199SandboxCredentials {
        appid: format!("sbx{}", hex(&mut rng, 6)),
        secret: Secret::new(hex(&mut rng, 16)),
        seller_nick: "鲜果优选旗舰店".to_owned(),
    };
    (wechat, fw199)
}
