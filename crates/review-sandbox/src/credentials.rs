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

/// One tenant of the sandbox: a mini program and a shop, with the credentials that reach
/// them and no other tenant's data (see [`SandboxBuilder::tenants`]).
///
/// [`SandboxBuilder::tenants`]: crate::SandboxBuilder::tenants
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TenantCredentials {
    /// The tenant's index, 0 to tenants - 1; tenant 0 is the one of
    /// [`Sandbox::wechat`](crate::Sandbox::wechat) and [`Sandbox::taobao`](crate::Sandbox::taobao).
    pub index: usize,
    /// Its mini program's credentials.
    pub wechat: WechatCredentials,
    /// Its shop's gateway credentials and seller nick.
    pub taobao: TaobaoCredentials,
}

/// Both platforms' credentials for one seed.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub(crate) wechat: WechatCredentials,
    pub(crate) taobao: TaobaoCredentials,
}

/// The seed of tenant `index`'s data, tokens and ids: the sandbox's seed for tenant 0 (so a
/// single tenant is exactly what it always was), a mix of both for the others.
pub(crate) fn tenant_seed(seed: u64, index: usize) -> u64 {
    if index == 0 {
        return seed;
    }
    let mut z = seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
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

    /// Tenant `index`'s credentials for `seed`: [`Credentials::derive`]'s for tenant 0, and
    /// for the others, credentials of their own seed and a seller nick naming the tenant.
    pub(crate) fn tenant(seed: u64, index: usize) -> TenantCredentials {
        let Self { wechat, mut taobao } = Self::derive(tenant_seed(seed, index));
        if index > 0 {
            taobao.seller_nick = format!("{}{index}号店", taobao.seller_nick);
        }
        TenantCredentials {
            index,
            wechat,
            taobao,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn tenant_0_is_the_seed_s_own_and_the_others_differ() {
        let first = Credentials::tenant(7, 0);
        assert_eq!(first.wechat, Credentials::derive(7).wechat);
        assert_eq!(first.taobao, Credentials::derive(7).taobao);
        let all: Vec<TenantCredentials> = (0..500).map(|k| Credentials::tenant(7, k)).collect();
        let distinct = |key: &dyn Fn(&TenantCredentials) -> String| {
            all.iter().map(key).collect::<HashSet<_>>().len()
        };
        assert_eq!(distinct(&|t| t.wechat.appid.as_str().to_owned()), 500);
        assert_eq!(distinct(&|t| t.taobao.gateway.appid.clone()), 500);
        assert_eq!(distinct(&|t| t.taobao.seller_nick.clone()), 500);
        assert_eq!(Credentials::tenant(7, 3), Credentials::tenant(7, 3));
        assert_ne!(Credentials::tenant(8, 3), Credentials::tenant(7, 3));
    }
}
