//! Every tenant's mini program, and how a request finds its tenant: the token endpoints by
//! `appid`, every other call by its `access_token` (a token belongs to the tenant that issued
//! it, so it reads that tenant's data only). A call whose token no tenant issued goes to
//! tenant 0, which refuses it as before (40001, 40014, 41001).
//!
//! The request quota is spent here, once per call of a review API with a token that is valid
//! now: a call refused for its token spends nothing, and a call over the quota answers 45011
//! (`api minute-quota reach limit  mustslower  retry next minute`) before its handler runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use review_model::wechat::ErrCode;

use super::answer::{Refusal, Style};
use super::platform::Platform;
use super::request::Params;
use crate::lock::lock;
use crate::stats::tag::{self, Throttled};
use crate::throttle::Rule;

/// Known tokens are pruned to the live ones once this many per tenant (and at least this many
/// in all) are known.
const KEEP: usize = 10_000;

/// WeChat's answer to a call over its minute quota, word for word (two spaces included).
pub(crate) const QUOTA_MESSAGE: &str =
    "api minute-quota reach limit  mustslower  retry next minute";

/// Every tenant's mini program.
#[derive(Debug)]
pub(crate) struct Fleet {
    tenants: Vec<Arc<Platform>>,
    by_appid: HashMap<String, usize>,
    /// Which tenant issued each token.
    tokens: Mutex<HashMap<String, usize>>,
    quota: Option<Rule>,
    /// The refusal shape of the endpoint at a path (the routes' table, which lies above).
    style_of_path: fn(&str) -> Style,
}

impl Fleet {
    /// The tenants, in order (at least one), under the request quota `quota`, if any; a
    /// refused call answered in the shape `style_of_path` gives its endpoint.
    pub(crate) fn new(
        tenants: Vec<Arc<Platform>>,
        quota: Option<Rule>,
        style_of_path: fn(&str) -> Style,
    ) -> Self {
        let by_appid = tenants
            .iter()
            .enumerate()
            .map(|(index, tenant)| (tenant.appid().to_owned(), index))
            .collect();
        Self {
            tenants,
            by_appid,
            tokens: Mutex::default(),
            quota,
            style_of_path,
        }
    }

    /// Tenant `index`, or tenant 0.
    fn tenant(&self, index: usize) -> Option<&Arc<Platform>> {
        self.tenants.get(index).or_else(|| self.tenants.first())
    }

    /// Tenant 0, whose bad reviews are pushed.
    pub(crate) fn first(&self) -> Option<&Arc<Platform>> {
        self.tenants.first()
    }

    /// The tenant of `appid`; tenant 0 for an unknown one (which refuses it).
    pub(super) fn by_appid(&self, appid: Option<&str>) -> Option<&Arc<Platform>> {
        let index = appid.and_then(|a| self.by_appid.get(a)).copied();
        self.tenant(index.unwrap_or(0))
    }

    /// The tenant that issued `token`, if one did.
    fn issuer(&self, token: Option<&str>) -> Option<usize> {
        if self.tenants.len() == 1 {
            return token.map(|_| 0);
        }
        token.and_then(|t| lock(&self.tokens).get(t).copied())
    }

    /// The tenant of `token`: its issuer, else tenant 0.
    pub(super) fn by_token(&self, token: Option<&str>) -> Option<&Arc<Platform>> {
        self.tenant(self.issuer(token).unwrap_or(0))
    }

    /// Remembers that `tenant` issued `token`; forgets the tokens no tenant knows any more
    /// once many are remembered.
    pub(super) fn issued(&self, tenant: &Platform, token: &str) {
        if self.tenants.len() == 1 {
            return;
        }
        let mut tokens = lock(&self.tokens);
        if tokens.len() >= KEEP.saturating_mul(self.tenants.len()).max(KEEP) {
            // The tenants' locks are taken inside this one, never the other way round.
            tokens.retain(|token, index| {
                self.tenants
                    .get(*index)
                    .is_some_and(|t| t.state().tokens.knows(token))
            });
        }
        tokens.insert(token.to_owned(), tenant.index);
    }

    /// Expires every token of the tenant of `token` (the fault "token expiring early").
    pub(crate) fn expire_tokens(&self, token: Option<&str>) {
        if let Some(tenant) = self.by_token(token) {
            tenant.expire_tokens();
        }
    }

    /// Spends one call of `tenant`'s quota for a call with `token`, if the token is valid;
    /// the refusal over the quota otherwise.
    fn spend(&self, tenant: &Platform, token: Option<&str>) -> Result<(), Refusal> {
        let Some(rule) = self.quota else {
            return Ok(());
        };
        let now = tenant.clock.now();
        if tenant.state().tokens.check(token, now).is_err() {
            return Ok(());
        }
        tenant
            .calls
            .grant(now, rule)
            .map_err(|_| Refusal::new(ErrCode::RateLimited, QUOTA_MESSAGE))
    }
}

/// The tenant a review-API call is for, its quota spent: what every handler but the token
/// endpoints' extracts.
pub(super) struct Tenant(pub(super) Arc<Platform>);

impl FromRequestParts<Arc<Fleet>> for Tenant {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, fleet: &Arc<Fleet>) -> Result<Self, Response> {
        let single = fleet.tenants.len() == 1 && fleet.quota.is_none();
        let (tenant, token) = if single {
            (fleet.first(), None)
        } else {
            let params = Params::parse(parts.uri.query());
            let token = params.token().map(str::to_owned);
            (fleet.by_token(token.as_deref()), token)
        };
        let Some(tenant) = tenant else {
            // A fleet has at least one tenant; should it not, the call is the platform's error.
            return Err(Refusal::new(ErrCode::SystemBusy, "system error").answer(Style::Plain));
        };
        if !single && let Err(refusal) = fleet.spend(tenant, token.as_deref()) {
            let answer = refusal.answer((fleet.style_of_path)(parts.uri.path()));
            return Err(tag::throttled(answer, Throttled::Wechat));
        }
        Ok(Self(Arc::clone(tenant)))
    }
}
